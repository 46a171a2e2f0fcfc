/// A JSON value inside bytes the scanner has validated, read lazily: an object's members and an
/// array's elements are located by scanning only that value's bytes, and nothing is decoded
/// until asked for. Streams read a few fields of every event this way instead of `JSONDecoder`.
///
/// ```swift
/// guard let chunk = JSONNode.object(bytes) else { return }
/// let text = chunk["choices"]?.elements.first?["delta"]?["content"]?.stringByteCount
/// ```
struct JSONNode {
    let bytes: UnsafeRawBufferPointer
    /// The value's bytes (strings with their quotes).
    let range: Range<Int>
    let kind: JSONValueKind
    /// An object's members, their ranges relative to `range.lowerBound` (scanned once, when the
    /// node is made); empty for other kinds.
    private let members: [JSONMember]

    private init(bytes: UnsafeRawBufferPointer, range: Range<Int>, kind: JSONValueKind) {
        self.bytes = bytes
        self.range = range
        self.kind = kind
        self.members = kind == .object ? (try? JSONScanner.scanObject(UnsafeRawBufferPointer(rebasing: bytes[range])))?.members ?? [] : []
    }

    private init(bytes: UnsafeRawBufferPointer, layout: JSONObjectLayout) {
        self.bytes = bytes
        self.range = 0..<bytes.count
        self.kind = .object
        self.members = layout.members
    }

    /// The root of `bytes` when they hold exactly one JSON object (validated); nil otherwise.
    static func object(_ bytes: UnsafeRawBufferPointer) -> JSONNode? {
        guard let layout = try? JSONScanner.scanObject(bytes) else { return nil }
        return JSONNode(bytes: bytes, layout: layout)
    }

    /// The first member named `key` of an object; nil when absent, `null`, or not an object.
    subscript(key: String) -> JSONNode? {
        guard let member = members.first(where: { $0.key == key }), member.kind != .null else { return nil }
        let shift = range.lowerBound
        return JSONNode(bytes: bytes, range: member.valueRange.lowerBound + shift..<member.valueRange.upperBound + shift, kind: member.kind)
    }

    /// The elements of an array (empty for any other kind).
    var elements: [JSONNode] {
        guard kind == .array else { return [] }
        return JSONNode.elementRanges(bytes, range).map { JSONNode(bytes: bytes, range: $0, kind: JSONNode.kind(bytes, $0)) }
    }

    /// A string's decoded text; nil for other kinds.
    var string: String? {
        kind == .string ? JSONText.unescape(bytes, range.lowerBound + 1..<range.upperBound - 1) : nil
    }

    /// The UTF-8 length of a string's decoded text, counted without decoding it; nil for other kinds.
    var stringByteCount: Int? {
        kind == .string ? JSONText.unescapedByteCount(bytes, range.lowerBound + 1..<range.upperBound - 1) : nil
    }

    /// The bytes of the value, for handing to a reader of its own.
    var slice: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: bytes[range]) }

    /// The byte ranges of the elements of the (validated) array at `range`.
    static func elementRanges(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var depth = 0, inString = false, escaped = false
        var start: Int?
        var end = range.lowerBound + 1
        for index in range.lowerBound + 1..<range.upperBound - 1 {
            let byte = bytes[index]
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                end = index + 1
                continue
            }
            switch byte {
            case 0x20, 0x09, 0x0A, 0x0D:
                continue
            case UInt8(ascii: ",") where depth == 0:
                if let first = start { ranges.append(first..<end) }
                start = nil
                continue
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
            default: break
            }
            if start == nil { start = index }
            end = index + 1
        }
        if let first = start { ranges.append(first..<end) }
        return ranges
    }

    /// The kind of the (validated) value at `range`, from its first bytes.
    static func kind(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> JSONValueKind {
        switch bytes[range.lowerBound] {
        case UInt8(ascii: "{"): .object
        case UInt8(ascii: "["): .array
        case UInt8(ascii: "\""): .string
        case UInt8(ascii: "t"), UInt8(ascii: "f"): .bool
        case UInt8(ascii: "n"): .null
        default:
            UnsafeRawBufferPointer(rebasing: bytes[range]).contains { $0 == UInt8(ascii: ".") || $0 | 0x20 == UInt8(ascii: "e") }
                ? .number : .integer
        }
    }
}
