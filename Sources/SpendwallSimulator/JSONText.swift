/// Hand-rolled JSON output for the hot path: the simulator writes its responses as text
/// templates instead of going through `JSONEncoder`.
enum JSONText {
    /// `value` as a quoted, escaped JSON string.
    static func quoted(_ value: some StringProtocol) -> String {
        let needsEscaping = value.utf8.contains { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }
        guard needsEscaping else { return "\"" + value + "\"" }
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// `value` as JSON, or `null`.
    static func optional(_ value: String?) -> String {
        value.map { quoted($0) } ?? "null"
    }
}

/// Server-sent-event framing.
enum SSE {
    /// `data: <json>\n\n`.
    static func data(_ json: String) -> String {
        "data: " + json + "\n\n"
    }

    /// `event: <name>\ndata: <json>\n\n`.
    static func event(_ name: String, _ json: String) -> String {
        "event: " + name + "\ndata: " + json + "\n\n"
    }
}
