import Foundation
import SpendwallCore

/// Printing for commands: aligned tables for people, JSON for scripts.
enum Output {
    static func printJSON(_ value: Any) {
        let options: JSONSerialization.WritingOptions = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        if let data = try? JSONSerialization.data(withJSONObject: value, options: options) {
            print(String(decoding: data, as: UTF8.self))
        }
    }

    static func printTable(_ header: [String], _ rows: [[String]]) {
        var widths = header.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count { widths[index] = max(widths[index], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                index == cells.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
        print(line(header))
        for row in rows { print(line(row)) }
    }

    /// Formats integer nano-dollars from an admin answer.
    static func dollars(_ value: Any?) -> String {
        guard let number = value as? NSNumber else { return "-" }
        return Money(nanodollars: number.int64Value).description
    }

    static func string(_ value: Any?) -> String {
        switch value {
        case let text as String: text
        case let number as NSNumber: number.stringValue
        case let list as [Any]: list.map { string($0) }.joined(separator: ",")
        case nil, is NSNull: "-"
        default: "\(value!)"
        }
    }

    /// A JSON value on one line, keys sorted.
    static func compactJSON(_ value: Any?) -> String {
        guard let value, JSONSerialization.isValidJSONObject(value) else { return string(value) }
        let data = (try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    static func date(_ millis: Any?) -> String {
        guard let number = millis as? NSNumber else { return "-" }
        return Date(timeIntervalSince1970: number.doubleValue / 1000).formatted(.iso8601)
    }
}
