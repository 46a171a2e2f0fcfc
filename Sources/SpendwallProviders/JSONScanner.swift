/// The JSON type of a scanned value.
enum JSONValueKind: Sendable, Hashable {
    case object, array, string, integer, number, bool, null

    /// The word used in error messages.
    var name: String {
        switch self {
        case .object: "an object"
        case .array: "an array"
        case .string: "a string"
        case .integer: "an integer"
        case .number: "a number"
        case .bool: "a boolean"
        case .null: "null"
        }
    }
}

/// One member of a scanned JSON object, located by byte offsets into the scanned bytes.
struct JSONMember: Sendable {
    /// The key, with escapes decoded (`"max\u005ftokens"` reads as `max_tokens`).
    var key: String
    /// The key's bytes including its quotes.
    var keyRange: Range<Int>
    /// The value's bytes (for strings: including the quotes; for objects: `{` through `}`).
    var valueRange: Range<Int>
    /// The value's type.
    var kind: JSONValueKind
    /// The number of elements, for arrays.
    var elementCount: Int = 0
    /// The object's own members, for object values the scan was asked to descend into.
    var members: [JSONMember]?
}

/// The layout of a top-level JSON object: where it is and where each member is.
struct JSONObjectLayout: Sendable {
    /// `{` through `}`.
    var range: Range<Int>
    /// The members in body order; duplicate keys appear more than once.
    var members: [JSONMember]
    /// True when a string token names an image, audio, file or document part.
    var mentionsMedia = false

    /// The members with `key`, in body order.
    func members(named key: String) -> [JSONMember] { members.filter { $0.key == key } }
}

/// A validating, non-allocating (except for keys) scanner that checks a whole body against the
/// JSON grammar and records the byte ranges of the top-level object's members, and of the members
/// of selected object members one level down.
///
/// It never builds values: the body's bytes stay where they are, so a rewrite can splice new bytes
/// next to untouched ones.
struct JSONScanner: ~Copyable {
    /// Nesting deeper than this is refused, so hostile bodies cannot exhaust the stack.
    static let maximumDepth = 256

    private let bytes: UnsafeRawBufferPointer
    private var index = 0
    private let descendKeys: [String]
    private let detectMedia: Bool
    private var mentionsMedia = false

    private init(bytes: UnsafeRawBufferPointer, descendKeys: [String], detectMedia: Bool) {
        self.bytes = bytes
        self.descendKeys = descendKeys
        self.detectMedia = detectMedia
    }

    /// Scans `bytes`, which must hold exactly one JSON object (surrounding whitespace allowed).
    ///
    /// - Parameters:
    ///   - descendKeys: top-level keys whose object values get their members recorded.
    ///   - detectMedia: whether to look for string tokens that name media parts.
    static func scanObject(
        _ bytes: UnsafeRawBufferPointer,
        descendInto descendKeys: [String] = [],
        detectMedia: Bool = false
    ) throws(ProviderError) -> JSONObjectLayout {
        var scanner = JSONScanner(bytes: bytes, descendKeys: descendKeys, detectMedia: detectMedia)
        return try scanner.scanDocument()
    }

    private mutating func scanDocument() throws(ProviderError) -> JSONObjectLayout {
        skipWhitespace()
        guard index < bytes.count else { throw .invalidJSON("The request body is empty; expected a JSON object.") }
        guard bytes[index] == UInt8(ascii: "{") else {
            // Distinguish "valid JSON but not an object" only by message.
            throw .invalidJSON("The request body must be a JSON object.")
        }
        let start = index
        var members: [JSONMember] = []
        try scanObject(depth: 1, record: &members, recordsMembers: true, descends: true)
        let end = index
        skipWhitespace()
        guard index == bytes.count else { throw .invalidJSON("Unexpected data after the JSON object at byte \(index).") }
        return JSONObjectLayout(range: start..<end, members: members, mentionsMedia: mentionsMedia)
    }

    // MARK: Values

    private mutating func scanValue(depth: Int) throws(ProviderError) -> (kind: JSONValueKind, count: Int) {
        guard index < bytes.count else { throw unexpectedEnd() }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            var none: [JSONMember] = []
            try scanObject(depth: depth + 1, record: &none, recordsMembers: false, descends: false)
            return (.object, 0)
        case UInt8(ascii: "["):
            return (.array, try scanArray(depth: depth + 1))
        case UInt8(ascii: "\""):
            _ = try scanString()
            return (.string, 0)
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return (.bool, 0)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return (.bool, 0)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return (.null, 0)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return (try scanNumber(), 0)
        default:
            throw .invalidJSON("Invalid JSON value at byte \(index).")
        }
    }

    private mutating func scanObject(
        depth: Int, record members: inout [JSONMember], recordsMembers: Bool, descends: Bool
    ) throws(ProviderError) {
        guard depth <= Self.maximumDepth else { throw .invalidJSON("JSON nesting is deeper than \(Self.maximumDepth) levels.") }
        index += 1  // {
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return
        }
        while true {
            guard index < bytes.count else { throw unexpectedEnd() }
            guard bytes[index] == UInt8(ascii: "\"") else { throw .invalidJSON("Expected an object key at byte \(index).") }
            let keyStart = index
            let (content, hasEscapes) = try scanString()
            let keyEnd = index
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
                throw .invalidJSON("Expected ':' after an object key at byte \(index).")
            }
            index += 1
            skipWhitespace()
            let valueStart = index
            if recordsMembers {
                let key = hasEscapes ? JSONText.unescape(bytes, content) : JSONText.string(bytes, content)
                var member = JSONMember(key: key, keyRange: keyStart..<keyEnd, valueRange: valueStart..<valueStart, kind: .null)
                if descends, index < bytes.count, bytes[index] == UInt8(ascii: "{"), descendKeys.contains(key) {
                    var nested: [JSONMember] = []
                    try scanObject(depth: depth + 1, record: &nested, recordsMembers: true, descends: false)
                    member.kind = .object
                    member.members = nested
                } else {
                    let (kind, count) = try scanValue(depth: depth)
                    member.kind = kind
                    member.elementCount = count
                }
                member.valueRange = valueStart..<index
                members.append(member)
            } else {
                _ = try scanValue(depth: depth)
            }
            skipWhitespace()
            guard index < bytes.count else { throw unexpectedEnd() }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                skipWhitespace()
                continue
            }
            guard bytes[index] == UInt8(ascii: "}") else { throw .invalidJSON("Expected ',' or '}' at byte \(index).") }
            index += 1
            return
        }
    }

    private mutating func scanArray(depth: Int) throws(ProviderError) -> Int {
        guard depth <= Self.maximumDepth else { throw .invalidJSON("JSON nesting is deeper than \(Self.maximumDepth) levels.") }
        index += 1  // [
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return 0
        }
        var count = 0
        while true {
            _ = try scanValue(depth: depth)
            count += 1
            skipWhitespace()
            guard index < bytes.count else { throw unexpectedEnd() }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                skipWhitespace()
                continue
            }
            guard bytes[index] == UInt8(ascii: "]") else { throw .invalidJSON("Expected ',' or ']' at byte \(index).") }
            index += 1
            return count
        }
    }

    // MARK: Tokens

    /// Scans a string at `"`; returns the range between the quotes.
    private mutating func scanString() throws(ProviderError) -> (content: Range<Int>, hasEscapes: Bool) {
        index += 1
        let start = index
        var hasEscapes = false
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let content = start..<index
                index += 1
                if detectMedia, !mentionsMedia {
                    mentionsMedia = MediaTokens.matches(bytes, content, hasEscapes: hasEscapes)
                }
                return (content, hasEscapes)
            }
            if byte == UInt8(ascii: "\\") {
                hasEscapes = true
                try scanEscape()
                continue
            }
            guard byte >= 0x20 else { throw .invalidJSON("Unescaped control character in a string at byte \(index).") }
            index += 1
        }
        throw unexpectedEnd()
    }

    private mutating func scanEscape() throws(ProviderError) {
        index += 1
        guard index < bytes.count else { throw unexpectedEnd() }
        switch bytes[index] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
             UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            index += 1
        case UInt8(ascii: "u"):
            guard index + 4 < bytes.count else { throw unexpectedEnd() }
            for offset in 1...4 where JSONText.hexValue(bytes[index + offset]) == nil {
                throw .invalidJSON("Invalid \\u escape at byte \(index).")
            }
            index += 5
        default:
            throw .invalidJSON("Invalid escape sequence at byte \(index).")
        }
    }

    private mutating func scanNumber() throws(ProviderError) -> JSONValueKind {
        var isInteger = true
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, isDigit(bytes[index]) else { throw .invalidJSON("Invalid number at byte \(index).") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else { throw .invalidJSON("Invalid number at byte \(index).") }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            isInteger = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, isDigit(bytes[index]) else { throw .invalidJSON("Invalid number at byte \(index).") }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        return isInteger ? .integer : .number
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(ProviderError) {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw unexpectedEnd() }
        let matches = literal.withUTF8Buffer { expected in
            (0..<count).allSatisfy { bytes[index + $0] == expected[$0] }
        }
        guard matches else { throw .invalidJSON("Invalid JSON literal at byte \(index).") }
        index += count
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private func unexpectedEnd() -> ProviderError { .invalidJSON("The JSON body ends unexpectedly.") }
}
