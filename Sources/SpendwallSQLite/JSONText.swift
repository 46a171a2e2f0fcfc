import Foundation
import SpendwallCore

/// The JSON text stored in list-valued columns (tags, allowed models, hold shares).
///
/// Encoding is hand-written because it runs twice per request on the hot path and
/// `JSONEncoder` would dominate its cost; decoding only runs on reads and uses `JSONDecoder`.
/// Shares use the same field names as `HoldShare`'s `Codable` form: `{"budget":…,"windowStart":…}`.
enum JSONText {
    static func encode(_ strings: [String]) -> String {
        var text = "["
        for (index, string) in strings.enumerated() {
            if index > 0 { text += "," }
            JSONQuoting.append(string, to: &text)
        }
        return text + "]"
    }

    static func encode(_ shares: [HoldShare]) -> String {
        var text = "["
        for (index, share) in shares.enumerated() {
            if index > 0 { text += "," }
            text += "{\"budget\":"
            JSONQuoting.append(share.budget, to: &text)
            text += ",\"windowStart\":\(share.windowStart)}"
        }
        return text + "]"
    }

    static func encode(_ integers: [Int]) -> String {
        "[" + integers.map(String.init).joined(separator: ",") + "]"
    }

    static func decodeIntegers(_ text: String) throws -> [Int] {
        try JSONDecoder().decode([Int].self, from: Data(text.utf8))
    }

    static func decodeStrings(_ text: String) throws -> [String] {
        try JSONDecoder().decode([String].self, from: Data(text.utf8))
    }

    static func decodeShares(_ text: String) throws -> [HoldShare] {
        try JSONDecoder().decode([HoldShare].self, from: Data(text.utf8))
    }
}
