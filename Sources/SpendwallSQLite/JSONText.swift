import Foundation
import SpendwallCore
import SpendwallStorage

/// The JSON text stored in list-valued columns (tags, allowed models, hold shares).
///
/// Encoding is hand-written (``ColumnJSON``) because it runs twice per request on the hot path
/// and `JSONEncoder` would dominate its cost; decoding only runs on reads and uses `JSONDecoder`.
enum JSONText {
    static func encode(_ strings: [String]) -> String { ColumnJSON.encode(strings) }

    static func encode(_ shares: [HoldShare]) -> String { ColumnJSON.encode(shares) }

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
