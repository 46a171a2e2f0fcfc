import Logging
import SpendwallCore
import SpendwallEngine
import SpendwallStorage
import Synchronization
import Testing

/// A wall clock the test moves by hand.
final class ManualWallClock: WallClock {
    private let millis: Mutex<Int64>
    init(_ start: Int64) { millis = Mutex(start) }
    func nowMillis() -> Int64 { millis.withLock { $0 } }
    func advance(byMillis delta: Int64) { millis.withLock { $0 += delta } }
}

@Suite struct EnforcerTests {
    // 2026-11-23T12:00:00Z
    static let noon: Int64 = 1_795_435_200_000
    static let model = ModelPrice(name: "m", provider: .openai, mode: .chat, rates: TokenRates(input: 1_000_000, output: 4_000_000))

    struct Fixture {
        let store = InMemoryStore()
        let clock = ManualWallClock(EnforcerTests.noon)
        let enforcer: Enforcer
        let key = KeyRecord(
            id: "key_1", name: "k", secretHash: "h", hint: "sw-…x", tenantID: "t", teamID: "team", userID: nil, tags: [],
            allowedTags: [], allowedModels: [], defaultMaxOutputTokens: nil, status: .active, createdAt: 0, revokedAt: nil
        )

        init(holdLifetime: Duration = .seconds(600)) {
            enforcer = Enforcer(
                store: store, catalog: CatalogHolder(PriceCatalog(version: "test", entries: ["m": EnforcerTests.model])),
                clock: clock, holdLifetime: holdLifetime, logger: Logger(label: "test")
            )
        }

        func budget(_ id: String, limit: Money, period: BudgetPeriod = .daily) async throws -> BudgetRecord {
            let record = BudgetRecord(id: id, tenantID: "t", scope: .team("team"), period: period, limit: limit, timeZone: "UTC", createdAt: 0)
            try await store.upsertBudget(record)
            try await enforcer.load(budget: record)
            return record
        }

        func request(_ id: String, amount: Money, budgets: [BudgetRecord], tags: [String] = []) -> ReservationRequest {
            ReservationRequest(requestID: id, key: key, tags: tags, model: EnforcerTests.model, endpoint: "chat", amount: amount, budgets: budgets)
        }
    }

    @Test("a budget in shadow mode takes holds and charges past its limit without refusing, and counts each would-be refusal; an enforced one beside it still refuses")
    func shadowBudgetNeverRefuses() async throws {
        let fixture = Fixture()
        let shadow = BudgetRecord(id: "s", tenantID: "t", scope: .team("team"), period: .daily, limit: .cents(10), timeZone: "UTC", createdAt: 0, shadow: true)
        try await fixture.store.upsertBudget(shadow)
        try await fixture.enforcer.load(budget: shadow)
        for index in 0..<3 {
            let reservation = try await fixture.enforcer.reserve(fixture.request("r\(index)", amount: .cents(6), budgets: [shadow]))
            await fixture.enforcer.settle(reservation, Settlement(usage: TokenUsage(input: 100_000, output: 0), status: .settled))
        }
        #expect(fixture.enforcer.account(budgetID: "s")!.spent == .cents(18), "charges (each capped at its hold) count past the limit")
        #expect(fixture.enforcer.shadowCounts.snapshot == ["budget:s": 2])
        let enforced = try await fixture.budget("e", limit: .cents(10))
        await #expect(throws: EnforcementError.self) {
            try await fixture.enforcer.reserve(fixture.request("r9", amount: .cents(11), budgets: [shadow, enforced]))
        }
    }

    @Test func holdIsDurableBeforeReserveReturnsAndSettlementWritesOneRow() async throws {
        let fixture = Fixture()
        let budget = try await fixture.budget("b", limit: .dollars(1))
        let reservation = try await fixture.enforcer.reserve(fixture.request("r1", amount: .cents(10), budgets: [budget]))
        #expect(try await fixture.store.openHolds().map(\.hold.id) == ["r1"])
        // 100 input tokens at 1e6 pico + 50 output at 4e6 pico = 3e8 pico = 300_000 nano
        let entry = await fixture.enforcer.settle(reservation, Settlement(usage: TokenUsage(input: 100, output: 50), status: .settled))
        #expect(entry?.cost == Money(nanodollars: 300_000))
        #expect(try await fixture.store.openHolds().isEmpty)
        #expect(try await fixture.store.ledger(tenantID: nil, limit: 10).count == 1)
        #expect(try await fixture.store.spent(budgetID: "b", windowStart: fixture.enforcer.account(budgetID: "b")!.window.start) == Money(nanodollars: 300_000))
        // Idempotent: settling again neither charges nor writes.
        #expect(await fixture.enforcer.settle(reservation, Settlement(usage: TokenUsage(input: 100, output: 50), status: .settled)) == nil)
        #expect(try await fixture.store.ledger(tenantID: nil, limit: 10).count == 1)
    }

    @Test func settlementBillsTheTierTheProviderReportsElseTheOneRequested() async throws {
        var tiered = EnforcerTests.model
        tiered.priorityRates = TokenRates(input: 2_000_000, output: 8_000_000)
        let fixture = Fixture()
        let budget = try await fixture.budget("b", limit: .dollars(1))
        let usage = TokenUsage(input: 100, output: 50)
        func settle(_ id: String, requested: ServiceTier?, reported: String?) async throws -> LedgerEntry? {
            var request = fixture.request(id, amount: .cents(10), budgets: [budget])
            request.model = tiered
            request.serviceTier = requested
            let reservation = try await fixture.enforcer.reserve(request)
            return await fixture.enforcer.settle(reservation, Settlement(usage: usage, status: .settled, reportedServiceTier: reported))
        }
        // 100 × 2e6 + 50 × 8e6 pico = 600_000 nano at priority; half that at standard rates.
        #expect(try await settle("asked", requested: .priority, reported: nil)?.cost == Money(nanodollars: 600_000))
        #expect(try await settle("served", requested: nil, reported: "priority")?.cost == Money(nanodollars: 600_000))
        #expect(try await settle("downgraded", requested: .priority, reported: "default")?.cost == Money(nanodollars: 300_000))
        #expect(try await settle("unknown", requested: .priority, reported: "scale")?.cost == Money(nanodollars: 300_000))
        #expect(try await settle("plain", requested: nil, reported: nil)?.rates == EnforcerTests.model.rates)
    }

    @Test func aWorstCaseSettlementChargesTheWholeHold() async throws {
        let fixture = Fixture()
        let budget = try await fixture.budget("b", limit: .dollars(1))
        let reservation = try await fixture.enforcer.reserve(fixture.request("w", amount: .cents(10), budgets: [budget]))
        // The bounds price below the hold (the hold also covered dearer token kinds); the charge is the hold.
        var settlement = Settlement(usage: TokenUsage(input: 100, output: 50), status: .estimated)
        settlement.chargesHold = true
        let entry = await fixture.enforcer.settle(reservation, settlement)
        #expect(entry?.cost == .cents(10) && entry?.status == .estimated)
    }

    @Test func refusalNamesTheBudgetAndLeavesNothingHeld() async throws {
        let fixture = Fixture()
        let budget = try await fixture.budget("small", limit: .cents(5))
        await #expect(throws: EnforcementError.self) {
            try await fixture.enforcer.reserve(fixture.request("r1", amount: .cents(6), budgets: [budget]))
        }
        do {
            _ = try await fixture.enforcer.reserve(fixture.request("r2", amount: .cents(6), budgets: [budget]))
        } catch {
            #expect(error.code == .budgetExceeded)
            #expect(error.budget?.budgetID == "small")
            #expect(error.budget?.limit == .cents(5))
            #expect(error.budget?.resetsAt == 1_795_478_400_000)  // next UTC midnight
        }
        #expect(fixture.enforcer.account(budgetID: "small")?.held == .zero)
        #expect(try await fixture.store.openHolds().isEmpty)
    }

    @Test func overdueHoldsAreChargedInFull() async throws {
        let fixture = Fixture(holdLifetime: .seconds(60))
        let budget = try await fixture.budget("b", limit: .dollars(1))
        _ = try await fixture.enforcer.reserve(fixture.request("r1", amount: .cents(7), budgets: [budget], tags: ["feature:search"]))
        #expect(await fixture.enforcer.expireOverdue() == 0)
        fixture.clock.advance(byMillis: 61_000)
        #expect(await fixture.enforcer.expireOverdue() == 1)
        let rows = try await fixture.store.ledger(tenantID: nil, limit: 10)
        #expect(rows.map(\.status) == [.expired])
        #expect(rows.first?.cost == .cents(7))
        #expect(rows.first?.tags == ["feature:search"], "an expired row keeps the request's attribution")
        #expect(rows.first?.teamID == "team")
        #expect(fixture.enforcer.account(budgetID: "b")?.spent == .cents(7))
    }

    @Test func recoveryChargesHoldsLeftByACrashedProcess() async throws {
        let first = Fixture()
        let budget = try await first.budget("b", limit: .dollars(1))
        _ = try await first.enforcer.reserve(first.request("r1", amount: .cents(3), budgets: [budget], tags: ["end-user:ada"]))
        // A new process on the same store: the hold must be resolved, charged in full, once.
        let second = Enforcer(store: first.store, catalog: CatalogHolder(PriceCatalog(version: "test", entries: [:])),
                              clock: first.clock, holdLifetime: .seconds(600), logger: Logger(label: "test"))
        try await second.recover(directory: Directory(keys: [first.key], budgets: [budget]))
        #expect(try await first.store.openHolds().isEmpty)
        let rows = try await first.store.ledger(tenantID: nil, limit: 10)
        #expect(rows.count == 1 && rows[0].status == .expired && rows[0].cost == .cents(3))
        #expect(rows.first?.tags == ["end-user:ada"] && rows.first?.teamID == "team")
        #expect(second.account(budgetID: "b")?.spent == .cents(3))
    }

    @Test func dailyBudgetResetsAtMidnight() async throws {
        let fixture = Fixture()
        let budget = try await fixture.budget("b", limit: .cents(10))
        let reservation = try await fixture.enforcer.reserve(fixture.request("r1", amount: .cents(10), budgets: [budget]))
        await fixture.enforcer.settle(reservation, Settlement(usage: TokenUsage(input: 100_000), status: .settled))
        await #expect(throws: EnforcementError.self) {
            try await fixture.enforcer.reserve(fixture.request("r2", amount: .cents(1), budgets: [budget]))
        }
        fixture.clock.advance(byMillis: 12 * 3_600_000)
        let next = try await fixture.enforcer.reserve(fixture.request("r3", amount: .cents(10), budgets: [budget]))
        #expect(next.record.hold.shares.first?.windowStart == 1_795_478_400_000)
    }

    @Test func estimatedChargesNeverExceedTheHold() async throws {
        let fixture = Fixture()
        let budget = try await fixture.budget("b", limit: .dollars(1))
        let reservation = try await fixture.enforcer.reserve(fixture.request("r1", amount: Money(nanodollars: 1_000), budgets: [budget]))
        let entry = await fixture.enforcer.settle(reservation, Settlement(usage: TokenUsage(input: 1_000_000), status: .estimated))
        #expect(entry?.cost == Money(nanodollars: 1_000))
        #expect(entry?.status == .estimated)
    }
}
