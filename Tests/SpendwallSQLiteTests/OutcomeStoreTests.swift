import SpendwallCore
import SpendwallStorage
import Testing

/// Refusals, trace links and outcome verdicts in every store, as reports read them.
@Suite("Refusal and outcome store")
struct OutcomeStoreTests {
    @Test("refusals count by group and reason within the tenant and window", arguments: StoreKind.allCases)
    func refusals(kind: StoreKind) async throws {
        try await kind.withStore { store in
            func refusal(_ reason: String, team: String?, tenant: String = "acme", at: Int64 = 100) -> RefusalRecord {
                RefusalRecord(tenantID: tenant, keyID: "k1", teamID: team, userID: nil, tags: ["feature:search"], model: "gpt-4o", provider: .openai, reason: reason, at: at)
            }
            for item in [refusal("budget_exceeded", team: "ml"), refusal("budget_exceeded", team: "ml"), refusal("rate_limited", team: "ml"),
                         refusal("budget_exceeded", team: "ops"), refusal("budget_exceeded", team: "ml", tenant: "globex"), refusal("budget_exceeded", team: "ml", at: 9_999)] {
                try await store.insertRefusal(item)
            }
            let counts = try await store.refusalCounts(SpendQuery(tenantID: "acme", groupBy: .team, to: 1_000))
            #expect(counts == [
                RefusalCount(group: "ml", reason: "budget_exceeded", count: 2), RefusalCount(group: "ml", reason: "rate_limited", count: 1),
                RefusalCount(group: "ops", reason: "budget_exceeded", count: 1),
            ])
            let byTag = try await store.refusalCounts(SpendQuery(tenantID: "acme", groupBy: .tag))
            #expect(byTag.first { $0.group == "feature:search" && $0.reason == "budget_exceeded" }?.count == 4)
        }
    }

    @Test("verdicts join the ledger in their tenant: counts per request, accepted and rework cost; a later verdict replaces an earlier one; traces list their requests", arguments: StoreKind.allCases)
    func outcomes(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let first = Fixtures.hold("h1")
            let second = Fixtures.hold("h2")
            let third = Fixtures.hold("h3")
            for hold in [first, second, third] { try await store.recordHold(hold) }
            try await store.settle(Fixtures.entry(for: first, cost: .microdollars(10)))
            try await store.settle(Fixtures.entry(for: second, cost: .microdollars(20)))
            try await store.settle(Fixtures.entry(for: third, cost: .microdollars(40)))
            try await store.insertTraceLink(tenantID: "acme", traceID: "t1", requestID: second.requestID)
            try await store.insertTraceLink(tenantID: "acme", traceID: "t1", requestID: third.requestID)
            try await store.insertTraceLink(tenantID: "acme", traceID: "t1", requestID: third.requestID)
            #expect(try await store.requestIDs(traceID: "t1", tenantID: "acme") == [second.requestID, third.requestID])
            #expect(try await store.requestIDs(traceID: "t1", tenantID: "globex").isEmpty)
            try await store.insertOutcome(OutcomeRecord(tenantID: "acme", requestID: first.requestID, verdict: .rejected, keyID: "k1", at: 1))
            try await store.insertOutcome(OutcomeRecord(tenantID: "acme", requestID: first.requestID, verdict: .accepted, keyID: "k1", at: 2))
            for id in [second.requestID, third.requestID] {
                try await store.insertOutcome(OutcomeRecord(tenantID: "acme", requestID: id, verdict: .reworked, keyID: "k1", at: 3))
            }
            try await store.insertOutcome(OutcomeRecord(tenantID: "globex", requestID: first.requestID, verdict: .rejected, keyID: "k9", at: 4))
            let summaries = try await store.outcomeSummaries(SpendQuery(tenantID: "acme", groupBy: .team))
            #expect(summaries == [OutcomeSummary(group: "research", accepted: 1, rejected: 0, reworked: 2, acceptedCost: .microdollars(10), reworkCost: .microdollars(60))])
        }
    }
}
