/// Writes a string as a JSON string literal, for code that builds JSON text by hand on hot paths
/// (the SQLite store's list columns, the simulated provider's responses) instead of through an
/// encoder.
public enum JSONQuoting {
    /// `value` quoted and escaped: `he said "hi"` → `"he said \"hi\""`.
    public static func quoted(_ value: some StringProtocol) -> String {
        var out = ""
        append(value, to: &out)
        return out
    }

    /// Appends `value` quoted and escaped to `text`.
    public static func append(_ value: some StringProtocol, to text: inout String) {
        let needsEscaping = value.utf8.contains { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }
        guard needsEscaping else {
            text += "\""
            text += value
            text += "\""
            return
        }
        text += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: text.unicodeScalars.append(scalar)
            }
        }
        text += "\""
    }
}
