/// A cursor over the bytes of one exposition line.
struct LineReader {
    let bytes: [UInt8]
    let line: Int
    private(set) var index = 0

    init(bytes: [UInt8], line: Int) {
        self.bytes = bytes
        self.line = line
    }

    var isAtEnd: Bool { index >= bytes.count }
    var peek: UInt8? { isAtEnd ? nil : bytes[index] }

    mutating func advance() { index += 1 }

    /// Skips spaces and tabs; returns how many were skipped.
    @discardableResult
    mutating func skipBlanks() -> Int {
        let start = index
        while let byte = peek, byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") { index += 1 }
        return index - start
    }

    /// Reads up to the next blank.
    mutating func readToken() -> String {
        let start = index
        while let byte = peek, byte != UInt8(ascii: " "), byte != UInt8(ascii: "\t") { index += 1 }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    /// Reads `[a-zA-Z_:][a-zA-Z0-9_:]*`; empty when the first byte is not allowed.
    mutating func readMetricName() -> String {
        let start = index
        while let byte = peek, Self.isNameByte(byte, first: index == start, colonAllowed: true) { index += 1 }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    /// Reads `{name="value",...}` with an optional trailing comma, unescaping values.
    mutating func readLabels() throws(PrometheusParseError) -> [String: String] {
        advance()  // {
        var labels: [String: String] = [:]
        while true {
            skipBlanks()
            if peek == UInt8(ascii: "}") {
                advance()
                return labels
            }
            let start = index
            while let byte = peek, Self.isNameByte(byte, first: index == start, colonAllowed: false) { index += 1 }
            let name = String(decoding: bytes[start..<index], as: UTF8.self)
            guard !name.isEmpty else { throw fail("a label name is missing or malformed") }
            skipBlanks()
            guard peek == UInt8(ascii: "=") else { throw fail("label \(name) lacks '='") }
            advance()
            skipBlanks()
            guard peek == UInt8(ascii: "\"") else { throw fail("the value of label \(name) must be quoted") }
            advance()
            let value = try readQuotedRest(label: name)
            guard labels.updateValue(value, forKey: name) == nil else { throw fail("label \(name) appears twice") }
            skipBlanks()
            if peek == UInt8(ascii: ",") {
                advance()
            } else if peek != UInt8(ascii: "}") {
                throw fail("labels must be separated by ',' and closed by '}'")
            }
        }
    }

    private mutating func readQuotedRest(label: String) throws(PrometheusParseError) -> String {
        var value: [UInt8] = []
        while let byte = peek {
            advance()
            switch byte {
            case UInt8(ascii: "\""):
                return String(decoding: value, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard let escaped = peek else { throw fail("the value of label \(label) ends inside an escape") }
                advance()
                switch escaped {
                case UInt8(ascii: "\\"): value.append(UInt8(ascii: "\\"))
                case UInt8(ascii: "\""): value.append(UInt8(ascii: "\""))
                case UInt8(ascii: "n"): value.append(UInt8(ascii: "\n"))
                default: throw fail("the value of label \(label) has an unknown escape")
                }
            default:
                value.append(byte)
            }
        }
        throw fail("the value of label \(label) is not closed by a quote")
    }

    private func fail(_ message: String) -> PrometheusParseError {
        PrometheusParseError(.invalidLabels, line: line, message)
    }

    private static func isNameByte(_ byte: UInt8, first: Bool, colonAllowed: Bool) -> Bool {
        let letter = (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
        let digit = byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
        return letter || byte == UInt8(ascii: "_") || (colonAllowed && byte == UInt8(ascii: ":")) || (!first && digit)
    }
}
