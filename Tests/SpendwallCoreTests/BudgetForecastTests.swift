import SpendwallCore
import Testing

@Suite struct BudgetForecastTests {
    static func account(limit: Money, spent: Money, held: Money = .zero, start: Int64 = 0, end: Int64? = 86_400_000) -> BudgetAccount {
        BudgetAccount(limit: limit, window: PeriodWindow(start: start, end: end), spent: spent, held: held)
    }

    @Test("the projection adds the burn rate until the window ends; the limit is reached when the rate uses up what is left")
    func projection() {
        // $1 limit, $0.40 spent and $0.10 held at noon of a day window; burning 1,000 nano-dollars a ms ($3.60/h).
        let noon: Int64 = 43_200_000
        let forecast = BudgetForecast.make(account: Self.account(limit: .dollars(1), spent: .cents(40), held: .cents(10)), nanodollarsPerMilli: 1_000, now: noon)
        #expect(forecast.burnRatePerHour == .microdollars(3_600_000))
        #expect(forecast.projectedAtWindowEnd == .cents(50) + Money(nanodollars: 43_200_000_000))
        #expect(forecast.exhaustsAt == noon + 500_000, "$0.50 left at $0.001 a second: 500 s")
    }

    @Test("no burn: no exhaustion, the projection is what is committed; a spent budget is exhausted now; a total budget has no window end to project to")
    func edges() {
        let idle = BudgetForecast.make(account: Self.account(limit: .dollars(1), spent: .cents(30)), nanodollarsPerMilli: 0, now: 1_000)
        #expect(idle.exhaustsAt == nil && idle.projectedAtWindowEnd == .cents(30) && idle.burnRatePerHour == .zero)
        let spent = BudgetForecast.make(account: Self.account(limit: .dollars(1), spent: .dollars(1)), nanodollarsPerMilli: 5, now: 1_000)
        #expect(spent.exhaustsAt == 1_000)
        let total = BudgetForecast.make(account: Self.account(limit: .dollars(1), spent: .zero, end: nil), nanodollarsPerMilli: 1, now: 0)
        #expect(total.projectedAtWindowEnd == nil && total.exhaustsAt == 1_000_000_000)
        let late = BudgetForecast.make(account: Self.account(limit: .dollars(100), spent: .zero), nanodollarsPerMilli: 1, now: 0)
        #expect(late.exhaustsAt == nil, "the window ends before the limit is reached")
    }

    @Test("the recent burn rate fires the forecast alert when it runs the budget out before the window ends, not early in the window, not past its end")
    func recentForecastAlert() {
        // A day window; $0.30 of $1 spent.
        let account = Self.account(limit: .dollars(1), spent: .cents(30))
        let noon: Int64 = 43_200_000
        #expect(BudgetAlerts.recentForecast(account: account, exhaustsAt: noon + 3_600_000, now: noon) == .forecast(exhaustedAt: noon + 3_600_000))
        #expect(BudgetAlerts.recentForecast(account: account, exhaustsAt: 90_000_000, now: noon) == nil, "runs out after the window ends")
        #expect(BudgetAlerts.recentForecast(account: account, exhaustsAt: 1_000_000, now: 600_000) == nil, "ten minutes into a day: too early")
        #expect(BudgetAlerts.recentForecast(account: account, exhaustsAt: nil, now: noon) == nil)
        #expect(BudgetAlerts.recentForecast(account: Self.account(limit: .dollars(1), spent: .zero), exhaustsAt: noon + 1, now: noon) == nil)
    }
}
