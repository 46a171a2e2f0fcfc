import Foundation
import SpendwallCore
import SpendwallStorage

/// The JSON text stored in list-valued columns (tags, allowed models, hold shares).
///
/// Tags and shares are written by ``ColumnJSON`` (hand-written: it runs twice per request on the
/// hot path); decoding only runs on reads and uses `JSONDecoder`.
enum JSONText {
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
