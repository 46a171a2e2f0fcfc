import SpendwallCore
import Testing

@Suite struct BudgetAlertsTests {
    static let hour: Int64 = 3_600_000
    static let day = PeriodWindow(start: 0, end: 24 * hour)

    @Test("thresholds fire from the spend at or past each percentage, lowest first")
    func thresholds() {
        let account = BudgetAccount(limit: .dollars(10), window: .forever, spent: .dollars(8), held: .dollars(2))
        #expect(BudgetAlerts.due(account: account, thresholds: [100, 50, 80], now: 0) == [.threshold(50), .threshold(80)])
        let exact = BudgetAccount(limit: .dollars(10), window: .forever, spent: .dollars(10))
        #expect(BudgetAlerts.due(account: exact, thresholds: BudgetAlerts.defaultThresholds, now: 0).map(\.name) == ["threshold-50", "threshold-80", "threshold-100"])
        #expect(BudgetAlerts.due(account: BudgetAccount(limit: .dollars(10), window: .forever, spent: .cents(499)), thresholds: [50], now: 0).isEmpty)
        // A budget that refused a request it could not cover has reached 100 %, whatever its spend.
        let refusing = BudgetAccount(limit: .dollars(10), window: .forever, spent: .dollars(9))
        #expect(BudgetAlerts.due(account: refusing, thresholds: [80, 100, 120], now: 0, exhausted: true) == [.threshold(80), .threshold(100)])
    }

    @Test("the forecast fires when the burn rate so far runs the budget out before the window ends, and not too early in the window")
    func forecast() {
        // $4 of $10 in the first 6 h: $6 more takes 9 h, at 15 h, before the day ends.
        let burning = BudgetAccount(limit: .dollars(10), window: Self.day, spent: .dollars(4))
        #expect(BudgetAlerts.exhaustion(account: burning, now: 6 * Self.hour) == 15 * Self.hour)
        // $2 in 6 h: $8 more takes 24 h, after the day ends.
        #expect(BudgetAlerts.exhaustion(account: BudgetAccount(limit: .dollars(10), window: Self.day, spent: .dollars(2)), now: 6 * Self.hour) == nil)
        // Too early: 30 minutes into the day, whatever the spend.
        #expect(BudgetAlerts.exhaustion(account: BudgetAccount(limit: .dollars(10), window: Self.day, spent: .dollars(9)), now: Self.hour / 2) == nil)
        // A total budget never ends; a spent one is the 100 % threshold's business.
        #expect(BudgetAlerts.exhaustion(account: BudgetAccount(limit: .dollars(10), window: .forever, spent: .dollars(9)), now: 6 * Self.hour) == nil)
        #expect(BudgetAlerts.exhaustion(account: BudgetAccount(limit: .dollars(10), window: Self.day, spent: .dollars(10)), now: 6 * Self.hour) == nil)
        #expect(BudgetAlerts.due(account: burning, thresholds: [50], now: 6 * Self.hour) == [.forecast(exhaustedAt: 15 * Self.hour)])
    }
}
