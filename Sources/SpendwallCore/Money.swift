/// An amount of US dollars counted in whole nano-dollars (1e-9 USD).
///
/// Money is never a floating-point number: every price, hold and charge in Spendwall is an
/// integer, so totals add up to the last unit and any ledger row can be recomputed.
///
/// ```swift
/// let cost = Money(nanodollars: 1_250_000)   // $0.00125
/// print(cost)                               // "$0.00125"
/// ```
public struct Money: Sendable, Hashable, Comparable, Codable {
    /// The amount in nano-dollars.
    public var nanodollars: Int64

    /// Creates an amount from nano-dollars.
    public init(nanodollars: Int64) {
        self.nanodollars = nanodollars
    }

    /// No money.
    public static let zero = Money(nanodollars: 0)

    /// Creates an amount from whole micro-dollars (1e-6 USD).
    public static func microdollars(_ value: Int64) -> Money {
        Money(nanodollars: value.saturatingMultiplied(by: 1_000))
    }

    /// Creates an amount from whole cents.
    public static func cents(_ value: Int64) -> Money {
        Money(nanodollars: value.saturatingMultiplied(by: 10_000_000))
    }

    /// Creates an amount from whole dollars.
    public static func dollars(_ value: Int64) -> Money {
        Money(nanodollars: value.saturatingMultiplied(by: 1_000_000_000))
    }

    public static func < (lhs: Money, rhs: Money) -> Bool { lhs.nanodollars < rhs.nanodollars }

    /// Adds two amounts, saturating at the largest representable amount instead of trapping.
    public static func + (lhs: Money, rhs: Money) -> Money {
        Money(nanodollars: lhs.nanodollars.saturatingAdding(rhs.nanodollars))
    }

    /// Subtracts two amounts, saturating instead of trapping.
    public static func - (lhs: Money, rhs: Money) -> Money {
        let (value, overflow) = lhs.nanodollars.subtractingReportingOverflow(rhs.nanodollars)
        return Money(nanodollars: overflow ? (rhs.nanodollars > 0 ? .min : .max) : value)
    }

    public static func += (lhs: inout Money, rhs: Money) { lhs = lhs + rhs }
    public static func -= (lhs: inout Money, rhs: Money) { lhs = lhs - rhs }

    /// Multiplies an amount by a count, saturating instead of trapping.
    public static func * (lhs: Money, rhs: Int64) -> Money {
        Money(nanodollars: lhs.nanodollars.saturatingMultiplied(by: rhs))
    }

    public init(from decoder: any Decoder) throws {
        self.nanodollars = try decoder.singleValueContainer().decode(Int64.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(nanodollars)
    }
}

extension Money: CustomStringConvertible {
    /// The amount in dollars with every significant nano-dollar digit, e.g. `$12.5`, `$0.000001`.
    public var description: String {
        let negative = nanodollars < 0
        let magnitude = nanodollars.magnitude
        let whole = magnitude / 1_000_000_000
        var fraction = String(magnitude % 1_000_000_000)
        fraction = String(repeating: "0", count: 9 - fraction.count) + fraction
        while fraction.last == "0" { fraction.removeLast() }
        if fraction.count < 2 { fraction += String(repeating: "0", count: 2 - fraction.count) }
        return (negative ? "-$" : "$") + String(whole) + "." + fraction
    }

    /// The amount in dollars without the sign, as `Money(dollarString:)` reads it: `12.5`, `0.000001`.
    public var decimalDollars: String {
        let text = description
        return text.hasPrefix("$") ? String(text.dropFirst()) : text
    }

    /// Parses a dollar amount such as `12`, `12.5`, `$0.000001`. More than nine decimals is an error.
    public init?(dollarString: String) {
        var text = Substring(dollarString.trimmingSpaces())
        var negative = false
        if text.first == "-" {
            negative = true
            text = text.dropFirst()
        }
        if text.first == "$" { text = text.dropFirst() }
        if !negative && text.first == "-" {
            negative = true
            text = text.dropFirst()
        }
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let wholePart = parts.first, !wholePart.isEmpty || parts.count == 2,
              wholePart.allSatisfy(\.isASCIIDigit) else { return nil }
        let fractionPart = parts.count == 2 ? parts[1] : ""
        guard fractionPart.count <= 9, fractionPart.allSatisfy(\.isASCIIDigit),
              !(wholePart.isEmpty && fractionPart.isEmpty) else { return nil }
        guard let whole = Int64(wholePart.isEmpty ? "0" : String(wholePart)),
              let fraction = Int64(fractionPart.isEmpty ? "0" : String(fractionPart)) else { return nil }
        var scale: Int64 = 1
        for _ in 0..<(9 - fractionPart.count) { scale *= 10 }
        let (wholeNanos, overflow) = whole.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return nil }
        if negative {
            // Parse the negative side directly so Int64.min round-trips.
            let (total, overflow2) = (-wholeNanos).subtractingReportingOverflow(fraction * scale)
            guard !overflow2 else { return nil }
            self.nanodollars = total
        } else {
            let (total, overflow2) = wholeNanos.addingReportingOverflow(fraction * scale)
            guard !overflow2 else { return nil }
            self.nanodollars = total
        }
    }
}

extension Character {
    var isASCIIDigit: Bool { self >= "0" && self <= "9" }
}

extension String {
    func trimmingSpaces() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " || first == "\t" || first == "\n" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" || last == "\n" { scalars.removeLast() }
        return String(scalars)
    }
}

extension Int64 {
    /// `self * other`, clamped to the representable range.
    public func saturatingMultiplied(by other: Int64) -> Int64 {
        let (value, overflow) = multipliedReportingOverflow(by: other)
        if !overflow { return value }
        return (self < 0) == (other < 0) ? .max : .min
    }

    /// `self + other`, clamped to the representable range.
    public func saturatingAdding(_ other: Int64) -> Int64 {
        let (value, overflow) = addingReportingOverflow(other)
        if !overflow { return value }
        return other > 0 ? .max : .min
    }
}
