import SpendwallCore

/// The JSON text stored in the hot path's JSON-valued columns (tags, hold shares, unit rates),
/// written by hand: it runs for every reservation and settlement, where `JSONEncoder` cost more
/// than the rest of building the statement. The values are those `JSONEncoder` writes (the
/// `Codable` field names, absent optionals left out; rates with sorted keys, as the PostgreSQL
/// store's encoder writes them), so rows written either way read back alike.
public enum ColumnJSON {
    public static func encode(_ strings: [String]) -> String {
        var text = "["
        for (index, string) in strings.enumerated() {
            if index > 0 { text += "," }
            JSONQuoting.append(string, to: &text)
        }
        return text + "]"
    }

    /// `[{"budget":…,"windowStart":…}]`, `HoldShare`'s `Codable` form.
    public static func encode(_ shares: [HoldShare]) -> String {
        var text = "["
        for (index, share) in shares.enumerated() {
            if index > 0 { text += "," }
            text += "{\"budget\":"
            JSONQuoting.append(share.budget, to: &text)
            text += ",\"windowStart\":\(share.windowStart)}"
        }
        return text + "]"
    }

    /// `TokenRates`' `Codable` form, keys sorted.
    public static func encode(_ rates: TokenRates) -> String {
        var fields: [(String, Int64)] = [("input", rates.input), ("output", rates.output)]
        let optional: [(String, Int64?)] = [
            ("audioInput", rates.audioInput), ("audioOutput", rates.audioOutput), ("cacheWrite", rates.cacheWrite),
            ("cachedInput", rates.cachedInput), ("extendedCacheWrite", rates.extendedCacheWrite), ("reasoning", rates.reasoning),
        ]
        for (name, value) in optional { if let value { fields.append((name, value)) } }
        fields.sort { $0.0 < $1.0 }
        return "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
    }
}
