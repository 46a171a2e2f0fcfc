/// The whole-number counts of a provider's usage object, read straight from the response bytes.
///
/// Every non-streamed response is settled from its usage object, so this avoids `JSONDecoder`
/// (a fifth of the gateway's per-request CPU went there). The rules are those of decoding an
/// optional `Int64`: a missing or `null` member is nil; any other value that is not a whole number
/// in range makes the whole usage object unreadable.
struct UsageCounts {
    /// A member whose value is not a count.
    struct Mismatch: Error {}

    private let bytes: UnsafeRawBufferPointer
    private let members: [JSONMember]

    /// The counts of `bytes`, which must hold one JSON object; nil when they do not.
    ///
    /// - Parameter nested: keys whose object values hold counts too (`prompt_tokens_details`).
    init?(_ bytes: UnsafeRawBufferPointer, nested: [String] = []) {
        guard let layout = try? JSONScanner.scanObject(bytes, descendInto: nested) else { return nil }
        self.init(bytes: bytes, members: layout.members)
    }

    private init(bytes: UnsafeRawBufferPointer, members: [JSONMember]) {
        self.bytes = bytes
        self.members = members
    }

    /// The count named `key`; nil when absent or `null`. The first of duplicate keys wins, as with
    /// `JSONDecoder`.
    func count(_ key: String) throws(Mismatch) -> Int64? {
        guard let member = members.first(where: { $0.key == key }) else { return nil }
        switch member.kind {
        case .null:
            return nil
        case .integer:
            guard let value = Self.integer(bytes, member.valueRange) else { throw Mismatch() }
            return value
        case .number:
            // `12.0` or `1e3`: a whole number written as a fraction or with an exponent.
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[member.valueRange]), as: UTF8.self)
            guard let value = Double(text), value.rounded() == value,
                  value >= -9.223372036854775808e18, value < 9.223372036854775808e18 else { throw Mismatch() }
            return Int64(value)
        default:
            throw Mismatch()
        }
    }

    /// The counts of the object member `key` (one of `nested`); nil when absent or `null`.
    func nested(_ key: String) throws(Mismatch) -> UsageCounts? {
        guard let member = members.first(where: { $0.key == key }) else { return nil }
        switch member.kind {
        case .null: return nil
        case .object:
            guard let inner = member.members else { throw Mismatch() }
            return UsageCounts(bytes: bytes, members: inner)
        default: throw Mismatch()
        }
    }

    /// The object elements of the array member `key` (Gemini's `promptTokensDetails`); nil when
    /// absent or `null`.
    func objects(_ key: String) throws(Mismatch) -> [UsageCounts]? {
        guard let member = members.first(where: { $0.key == key }) else { return nil }
        switch member.kind {
        case .null: return nil
        case .array:
            var elements: [UsageCounts] = []
            for range in JSONNode.elementRanges(bytes, member.valueRange) {
                guard let element = UsageCounts(UnsafeRawBufferPointer(rebasing: bytes[range])) else { throw Mismatch() }
                elements.append(element)
            }
            return elements
        default: throw Mismatch()
        }
    }

    /// The string member `key`; nil when absent or `null`.
    func string(_ key: String) throws(Mismatch) -> String? {
        guard let member = members.first(where: { $0.key == key }) else { return nil }
        switch member.kind {
        case .null: return nil
        case .string: return JSONText.unescape(bytes, member.valueRange.lowerBound + 1..<member.valueRange.upperBound - 1)
        default: throw Mismatch()
        }
    }

    /// A JSON integer token as `Int64`; nil when it overflows.
    private static func integer(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Int64? {
        var index = range.lowerBound
        let negative = bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        var value: Int64 = 0
        while index < range.upperBound {
            let digit = Int64(bytes[index] &- UInt8(ascii: "0"))
            let (shifted, overflowA) = value.multipliedReportingOverflow(by: 10)
            let (next, overflowB) = negative ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
            guard !overflowA, !overflowB else { return nil }
            value = next
            index += 1
        }
        return value
    }
}
