/// What GPU time costs: nano-dollars per hour, exact (no floating point).
///
/// `GPURate(dollarsPerHour: "2.40")` is $2.40 an hour; ``cost(millis:)`` prices a span of time,
/// rounding up to the next nano-dollar, so a sum of charges never falls short of the time used.
public struct GPURate: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Nano-dollars per hour.
    public var nanodollarsPerHour: Int64

    public init(nanodollarsPerHour: Int64) {
        self.nanodollarsPerHour = nanodollarsPerHour
    }

    /// Parses a dollar amount per hour such as `2.40` or `$0.8`; nil when it is not a
    /// non-negative dollar amount with at most nine decimals.
    public init?(dollarsPerHour text: String) {
        guard let money = Money(dollarString: text), money >= .zero else { return nil }
        self.nanodollarsPerHour = money.nanodollars
    }

    /// The rate of `count` units at this rate each (a per-GPU rate times the GPU count).
    public func times(_ count: Int) -> GPURate {
        GPURate(nanodollarsPerHour: nanodollarsPerHour.saturatingMultiplied(by: Int64(count)))
    }

    /// The price of `millis` milliseconds, rounded up to the next nano-dollar.
    public func cost(millis: Int64) -> Money {
        guard millis > 0, nanodollarsPerHour > 0 else { return .zero }
        let (product, overflow) = nanodollarsPerHour.multipliedReportingOverflow(by: millis)
        if overflow {
            // Hours of a rate above ~$2.5M/h: fall back to whole hours plus the remainder.
            let hours = millis / 3_600_000
            let rest = millis % 3_600_000
            return Money(nanodollars: nanodollarsPerHour.saturatingMultiplied(by: hours)) + cost(millis: rest)
        }
        let (quotient, remainder) = product.quotientAndRemainder(dividingBy: 3_600_000)
        return Money(nanodollars: quotient + (remainder > 0 ? 1 : 0))
    }

    /// How many whole milliseconds `money` buys at this rate (nil for a free rate).
    public func millis(affordableWith money: Money) -> Int64? {
        guard nanodollarsPerHour > 0 else { return nil }
        guard money > .zero else { return 0 }
        let (product, overflow) = money.nanodollars.multipliedReportingOverflow(by: 3_600_000)
        if overflow { return .max }
        return product / nanodollarsPerHour
    }

    /// `$2.4/h`.
    public var description: String { "\(Money(nanodollars: nanodollarsPerHour))/h" }
}
