import SpendwallCore

/// A budget's limit: `.dollars(10)`, `.cents(50)`, or any ``Money``.
public struct Budget: Sendable, Hashable {
    /// The most that may be spent.
    public var limit: Money

    /// A budget of `limit`.
    public init(_ limit: Money) {
        self.limit = limit
    }

    /// Whole dollars.
    public static func dollars(_ value: Int64) -> Budget { Budget(.dollars(value)) }
    /// Whole cents.
    public static func cents(_ value: Int64) -> Budget { Budget(.cents(value)) }
    /// A dollar amount such as `"12.50"`; nil when it is not one.
    public static func amount(_ text: String) -> Budget? { Money(dollarString: text).map(Budget.init) }
}
