import Foundation

/// ISO 8601 rendering of epoch milliseconds, in UTC.
public enum ISOTime {
    /// `2026-11-23T00:00:00Z`.
    public static func format(millis: Int64) -> String {
        let date = Date(timeIntervalSince1970: TimeInterval(millis) / 1000)
        return date.formatted(.iso8601)
    }
}
