import SpendwallCore
import SpendwallEngine
import SpendwallStorage
import Testing

@Suite struct BurnRateTests {
    @Test("a steady spend converges to its rate; an idle half-life halves it; the weighting favours recent charges")
    func exponentialWeighting() {
        var burn = BurnRate(halfLifeMillis: 60_000)
        // $0.001 every second for an hour: 1,000 nano-dollars per ms.
        for second in 0..<3_600 { burn.record(.microdollars(1_000), at: Int64(second) * 1_000) }
        let steady = burn.nanodollarsPerMilli(at: 3_599_000)
        #expect(abs(steady - 1_000) < 15, "\(steady)")
        #expect(abs(burn.nanodollarsPerMilli(at: 3_659_000) - steady / 2) < 1, "one idle half-life halves it")
        #expect(burn.perHour(at: 3_599_000) == Money(nanodollars: Int64((steady * 3_600_000).rounded())))
        var fresh = BurnRate(halfLifeMillis: 60_000)
        #expect(fresh.nanodollarsPerMilli(at: 0) == 0 && fresh.since == nil)
        fresh.record(.zero, at: 5)
        #expect(fresh.since == nil, "a zero charge is no burn")
    }

    @Test("the enforcer's budget forecast follows what it settles")
    func enforcerForecast() async throws {
        let fixture = EnforcerTests.Fixture()
        let budget = try await fixture.budget("b", limit: .dollars(1))
        #expect(fixture.enforcer.forecast(budgetID: "b")?.burnRatePerHour == .zero)
        for index in 0..<10 {
            let reservation = try await fixture.enforcer.reserve(fixture.request("r\(index)", amount: .cents(2), budgets: [budget]))
            await fixture.enforcer.settle(reservation, Settlement(usage: TokenUsage(input: 10_000, output: 0), status: .settled))
            fixture.clock.advance(byMillis: 1_000)
        }
        let forecast = try #require(fixture.enforcer.forecast(budgetID: "b"))
        #expect(forecast.burnRatePerHour > .zero && forecast.exhaustsAt != nil && forecast.projectedAtWindowEnd != nil)
        #expect(fixture.enforcer.forecast(budgetID: "missing") == nil)
    }
}
