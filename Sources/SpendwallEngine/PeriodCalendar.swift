import Foundation
import SpendwallCore

/// Turns a budget period and time zone into the calendar window that contains an instant.
///
/// Daily windows start at local midnight, weekly ones on Monday at local midnight (ISO 8601
/// weeks), monthly ones on the first of the month; daylight-saving changes are followed.
public struct PeriodCalendar: Sendable {
    public init() {}

    /// The window of `period` in `timeZone` that contains `millis` (ms since the epoch).
    public func window(for period: BudgetPeriod, timeZone identifier: String, at millis: Int64) throws(ConfigurationError) -> PeriodWindow {
        if period == .total { return .forever }
        guard let zone = TimeZone(identifier: identifier) else {
            throw ConfigurationError(.invalidTimeZone, "unknown time zone '\(identifier)'; use an IANA name such as UTC or Europe/Berlin")
        }
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = zone
        calendar.firstWeekday = 2
        let date = Date(timeIntervalSince1970: TimeInterval(millis) / 1000)
        let component: Calendar.Component = switch period {
        case .daily: .day
        case .weekly: .weekOfYear
        case .monthly: .month
        case .total: .era
        }
        guard let interval = calendar.dateInterval(of: component, for: date) else {
            throw ConfigurationError(.invalidTimeZone, "cannot compute a \(period.rawValue) window in '\(identifier)'")
        }
        return PeriodWindow(start: Self.millis(interval.start), end: Self.millis(interval.end))
    }

    /// Checks that a time zone name is known.
    public func validate(timeZone identifier: String) throws(ConfigurationError) {
        _ = try window(for: .daily, timeZone: identifier, at: 0)
    }

    static func millis(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }
}
