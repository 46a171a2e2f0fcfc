import SpendwallCore
import SpendwallEngine
import Testing

@Suite struct PeriodCalendarTests {
    let calendar = PeriodCalendar()
    // 2026-11-23T12:00:00Z, a Monday
    let noon: Int64 = 1_795_435_200_000

    @Test func dailyWindowIsLocalMidnightToMidnight() throws {
        let window = try calendar.window(for: .daily, timeZone: "UTC", at: noon)
        #expect(window == PeriodWindow(start: 1_795_392_000_000, end: 1_795_478_400_000))
        let berlin = try calendar.window(for: .daily, timeZone: "Europe/Berlin", at: noon)
        #expect(berlin.start == 1_795_392_000_000 - 3_600_000)
    }

    @Test func weeklyWindowStartsOnMonday() throws {
        let sunday = noon - 86_400_000
        let window = try calendar.window(for: .weekly, timeZone: "UTC", at: sunday)
        #expect(window.end == 1_795_392_000_000)  // Monday 00:00
        #expect(window.end! - window.start == 7 * 86_400_000)
    }

    @Test func monthlyWindowFollowsTheCalendarAndDaylightSaving() throws {
        let window = try calendar.window(for: .monthly, timeZone: "Europe/Berlin", at: noon)
        // 2026-11-01T00:00+01:00 to 2026-12-01T00:00+01:00: 30 days exactly.
        #expect(window.end! - window.start == 30 * 86_400_000)
        // March 2026 in Berlin loses an hour to DST.
        let march = try calendar.window(for: .monthly, timeZone: "Europe/Berlin", at: 1_773_576_000_000)
        #expect(march.end! - march.start == 31 * 86_400_000 - 3_600_000)
    }

    @Test func totalNeverEnds() throws {
        #expect(try calendar.window(for: .total, timeZone: "UTC", at: noon) == .forever)
    }

    @Test func unknownTimeZoneIsAClearError() {
        #expect(throws: ConfigurationError.self) { try calendar.window(for: .daily, timeZone: "Mars/Olympus", at: noon) }
    }
}
