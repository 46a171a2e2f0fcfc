/// Exact conversion of a human price, US dollars per million tokens written as a decimal
/// string, to integer pico-dollars per token, and back. No floating point is involved.
///
/// One dollar per million tokens is one pico-dollar per token times a million, so the decimal
/// point simply moves six places: `"2.50"` → `2_500_000`, `"0.000001"` → `1`.
public enum PerMillionPrice {
    /// The most decimal places a price can have: the sixth is one pico-dollar per token.
    public static let maximumDecimals = 6

    /// Why a price text is refused, completing "… is …" (e.g. `is empty`).
    public struct Invalid: Error, Sendable, Hashable {
        public var reason: String
    }

    /// Parses `text`: plain digits with an optional decimal point and up to six decimals;
    /// surrounding spaces are ignored. Signs, exponents, thousands separators and currency
    /// symbols are refused.
    public static func picodollarsPerToken(_ text: String) throws(Invalid) -> Int64 {
        let trimmed = text.trimmingPlainWhitespace()
        guard !trimmed.isEmpty else { throw Invalid(reason: "is empty") }
        if trimmed.first == "-" { throw Invalid(reason: "must not be negative (\"\(text)\")") }
        if trimmed.contains(where: { $0 == "e" || $0 == "E" }) { throw Invalid(reason: "uses exponent notation (\"\(text)\")") }

        let parts = trimmed.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let whole = parts[0]
        let fraction = parts.count == 2 ? parts[1] : ""
        guard !whole.isEmpty, whole.allSatisfy(\.isPlainDigit), fraction.allSatisfy(\.isPlainDigit),
              parts.count == 1 || !fraction.isEmpty else {
            throw Invalid(reason: "is not a decimal number (\"\(text)\")")
        }
        guard fraction.count <= maximumDecimals else {
            throw Invalid(reason: "has more than \(maximumDecimals) decimal places (\"\(text)\"), finer than one pico-dollar per token")
        }
        let digits = String(whole) + String(fraction) + String(repeating: "0", count: maximumDecimals - fraction.count)
        var value: Int64 = 0
        for digit in digits.utf8 {
            let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (next, overflow2) = shifted.addingReportingOverflow(Int64(digit - UInt8(ascii: "0")))
            guard !overflow1, !overflow2 else { throw Invalid(reason: "is too large (\"\(text)\")") }
            value = next
        }
        return value
    }

    /// The decimal text of a rate, the inverse of ``picodollarsPerToken(_:)``: `2_500_000` → `"2.5"`.
    public static func text(picodollarsPerToken value: Int64) -> String {
        let whole = value / 1_000_000
        var fraction = String(value % 1_000_000)
        fraction = String(repeating: "0", count: maximumDecimals - fraction.count) + fraction
        while fraction.last == "0" { fraction.removeLast() }
        return fraction.isEmpty ? String(whole) : "\(whole).\(fraction)"
    }
}

extension Character {
    /// `0` to `9` only (not other scripts' digits).
    fileprivate var isPlainDigit: Bool { self >= "0" && self <= "9" }
}

extension String {
    /// The string without leading and trailing spaces, tabs and line breaks.
    fileprivate func trimmingPlainWhitespace() -> String {
        let set: Set<Character> = [" ", "\t", "\n", "\r", "\r\n"]
        var text = Substring(self)
        while let first = text.first, set.contains(first) { text.removeFirst() }
        while let last = text.last, set.contains(last) { text.removeLast() }
        return String(text)
    }
}
