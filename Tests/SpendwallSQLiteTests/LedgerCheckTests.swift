import SpendwallCore
import SpendwallStorage
import Testing

@Suite("Ledger check")
struct LedgerCheckTests {
    static let window = HoldShare(budget: "b", windowStart: 0)
    static let budget = BudgetRecord(id: "b", tenantID: "acme", scope: .tenant("acme"), period: .total, limit: .microdollars(100), timeZone: "UTC", createdAt: 1)

    @Test("every store's facts pass after holds and settlements, with the sums the ledger implies", arguments: StoreKind.allCases)
    func storesPass(kind: StoreKind) async throws {
        try await kind.withStore { store in
            try await store.upsertBudget(BudgetRecord(
                id: "b-tenant", tenantID: "acme", scope: .tenant("acme"), period: .total, limit: .microdollars(1_000_000), timeZone: "UTC", createdAt: 1
            ))
            let settled = Fixtures.hold("h1")
            let open = Fixtures.hold("h2")
            try await store.recordHold(settled)
            try await store.recordHold(open)
            try await store.settle(Fixtures.entry(for: settled, cost: .microdollars(7)))
            let facts = try await store.ledgerFacts()
            #expect(facts.ledgerRows == 1 && facts.openHolds == 1)
            let tenantWindow = HoldShare(budget: "b-tenant", windowStart: 0)
            #expect(facts.ledgerSpent[tenantWindow] == .microdollars(7) && facts.recordedSpent[tenantWindow] == .microdollars(7))
            #expect(facts.openHeld[tenantWindow] == open.hold.amount)
            let check = LedgerCheck(facts: facts, budgets: try await store.budgets(tenantID: nil))
            #expect(check.passed, "\(check.violations)")
        }
    }

    @Test("each broken invariant is reported with its code")
    func violations() {
        var facts = LedgerFacts()
        facts.recordedSpent = [Self.window: .microdollars(90)]
        facts.ledgerSpent = [Self.window: .microdollars(80)]
        facts.recordedHeld = [Self.window: .microdollars(30)]
        facts.openHeld = [Self.window: .microdollars(20)]
        facts.duplicateSettlements = ["h1"]
        facts.settledButOpen = ["h2"]
        let check = LedgerCheck(facts: facts, budgets: [Self.budget])
        #expect(!check.passed)
        #expect(check.violations.map(\.code) == ["spent_mismatch", "held_mismatch", "over_limit", "duplicate_settlement", "settled_but_open"])
    }

    @Test("consistent facts pass; a budget in shadow mode may run over its limit")
    func consistent() {
        var facts = LedgerFacts()
        facts.recordedSpent = [Self.window: .microdollars(150)]
        facts.ledgerSpent = [Self.window: .microdollars(150)]
        var shadow = Self.budget
        shadow.shadow = true
        #expect(LedgerCheck(facts: facts, budgets: [shadow]).passed)
        #expect(LedgerCheck(facts: facts, budgets: [Self.budget]).violations.map(\.code) == ["over_limit"])
    }
}
