import SpendwallCore
import SpendwallStorage
import Testing

/// The behaviour every `SpendStore` must have, written once, run against each implementation.
@Suite("SpendStore conformance")
struct StoreConformance {
    @Test("tenants, teams and users round-trip; duplicate ids are refused", arguments: StoreKind.allCases)
    func organisation(kind: StoreKind) async throws {
        try await kind.withStore { store in
            try await store.insertTenant(Fixtures.tenant("globex", createdAt: 2))
            try await store.insertTenant(Fixtures.tenant("acme", createdAt: 1))
            #expect(try await store.tenants().map(\.id) == ["acme", "globex"])
            let duplicate = await #expect(throws: StoreError.self) { try await store.insertTenant(Fixtures.tenant("acme")) }
            #expect(duplicate?.code == .duplicate)

            let team = TeamRecord(id: "research", tenantID: "acme", name: "Research", createdAt: 3)
            try await store.insertTeam(team)
            try await store.insertTeam(TeamRecord(id: "ops", tenantID: "globex", name: "Ops", createdAt: 3))
            #expect(try await store.teams(tenantID: "acme") == [team])
            #expect(try await store.teams(tenantID: nil).count == 2)

            let ada = UserRecord(id: "ada", tenantID: "acme", teamID: "research", name: "Ada", createdAt: 4)
            let bob = UserRecord(id: "bob", tenantID: "acme", teamID: nil, name: "Bob", createdAt: 4)
            try await store.insertUser(bob)
            try await store.insertUser(ada)
            #expect(try await store.users(tenantID: "acme") == [ada, bob])
            #expect(try await store.users(tenantID: "globex").isEmpty)
            await #expect(throws: StoreError.self) { try await store.insertUser(ada) }
        }
    }

    @Test("tenants, teams and users update in place; a missing id is notFound", arguments: StoreKind.allCases)
    func organisationUpdates(kind: StoreKind) async throws {
        try await kind.withStore { store in
            try await store.insertTenant(Fixtures.tenant("acme", createdAt: 1))
            try await store.updateTenant(TenantRecord(id: "acme", name: "Acme Corp", createdAt: 1))
            #expect(try await store.tenants().map(\.name) == ["Acme Corp"])
            try await store.insertTeam(TeamRecord(id: "research", tenantID: "acme", name: "Research", createdAt: 2))
            try await store.updateTeam(TeamRecord(id: "research", tenantID: "acme", name: "R&D", createdAt: 2))
            #expect(try await store.teams(tenantID: "acme").map(\.name) == ["R&D"])
            try await store.insertUser(UserRecord(id: "ada", tenantID: "acme", teamID: nil, name: "Ada", createdAt: 3))
            let moved = UserRecord(id: "ada", tenantID: "acme", teamID: "research", name: "Ada L.", createdAt: 3)
            try await store.updateUser(moved)
            #expect(try await store.users(tenantID: "acme") == [moved])
            let missing = await #expect(throws: StoreError.self) {
                try await store.updateTeam(TeamRecord(id: "nope", tenantID: "acme", name: "x", createdAt: 0))
            }
            #expect(missing?.code == .notFound)
            await #expect(throws: StoreError.self) { try await store.updateTenant(Fixtures.tenant("nope")) }
            await #expect(throws: StoreError.self) {
                try await store.updateUser(UserRecord(id: "nope", tenantID: "acme", teamID: nil, name: "x", createdAt: 0))
            }
        }
    }

    @Test("keys round-trip, revoke through updateKey, and refuse a second copy of a secret", arguments: StoreKind.allCases)
    func keys(kind: StoreKind) async throws {
        try await kind.withStore { store in
            var key = Fixtures.key("k1")
            try await store.insertKey(key)
            try await store.insertKey(Fixtures.key("k2", tenant: "globex"))
            #expect(try await store.keys(tenantID: "acme") == [key])

            key.status = .revoked
            key.revokedAt = 99
            key.teamID = nil
            key.defaultMaxOutputTokens = nil
            try await store.updateKey(key)
            #expect(try await store.keys(tenantID: "acme") == [key])

            let sameSecret = await #expect(throws: StoreError.self) {
                try await store.insertKey(Fixtures.key("k3", secretHash: key.secretHash))
            }
            #expect(sameSecret?.code == .duplicate)
            let missing = await #expect(throws: StoreError.self) { try await store.updateKey(Fixtures.key("nope")) }
            #expect(missing?.code == .notFound)
            #expect(try await store.keys(tenantID: nil).count == 2)
        }
    }

    @Test("budgets upsert by id and delete", arguments: StoreKind.allCases)
    func budgets(kind: StoreKind) async throws {
        try await kind.withStore { store in
            var budget = BudgetRecord(
                id: "b1", tenantID: "acme", scope: .tag("feature:search"), period: .monthly, limit: .dollars(50),
                timeZone: "Europe/Berlin", createdAt: 5
            )
            try await store.upsertBudget(budget)
            budget.limit = .cents(1_234)
            budget.period = .daily
            budget.downgradeAtPercent = 80
            try await store.upsertBudget(budget)
            try await store.upsertBudget(BudgetRecord(
                id: "b2", tenantID: "globex", scope: .tenant("globex"), period: .total, limit: .dollars(1),
                timeZone: "UTC", createdAt: 6
            ))
            #expect(try await store.budgets(tenantID: "acme") == [budget])
            try await store.deleteBudget(id: "b1")
            #expect(try await store.budgets(tenantID: nil).map(\.id) == ["b2"])
            let missing = await #expect(throws: StoreError.self) { try await store.deleteBudget(id: "b1") }
            #expect(missing?.code == .notFound)
        }
    }

    @Test("settle deletes the hold, writes the ledger row and charges every share", arguments: StoreKind.allCases)
    func settle(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let hold = Fixtures.hold("h1")
            let other = Fixtures.hold("h2", createdAt: 200)
            try await store.recordHold(hold)
            try await store.recordHold(other)
            #expect(try await store.openHolds() == [hold, other])

            let entry = Fixtures.entry(for: hold, cost: .microdollars(7_500))
            #expect(try await store.settle(entry))
            #expect(try await store.openHolds() == [other])
            #expect(try await store.ledger(tenantID: "acme", limit: 10) == [entry])
            #expect(try await store.spent(budgetID: "b-tenant", windowStart: 0) == .microdollars(7_500))
            #expect(try await store.spent(budgetID: "b-team", windowStart: 1_000) == .microdollars(7_500))
            #expect(try await store.spent(budgetID: "b-team", windowStart: 0) == .zero)
            #expect(try await store.spent(budgetID: "unknown", windowStart: 0) == .zero)
        }
    }

    @Test("settling twice writes one row and charges once", arguments: StoreKind.allCases)
    func settleIsIdempotent(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let hold = Fixtures.hold("h1")
            try await store.recordHold(hold)
            let entry = Fixtures.entry(for: hold, cost: .microdollars(10_000))
            #expect(try await store.settle(entry))
            #expect(try await store.settle(entry) == false)
            var changed = entry
            changed.cost = .dollars(1)
            #expect(try await store.settle(changed) == false)
            #expect(try await store.ledger(tenantID: nil, limit: 10).count == 1)
            #expect(try await store.spent(budgetID: "b-tenant", windowStart: 0) == .microdollars(10_000))
        }
    }

    @Test("a second hold with the same id is refused", arguments: StoreKind.allCases)
    func duplicateHold(kind: StoreKind) async throws {
        try await kind.withStore { store in
            try await store.recordHold(Fixtures.hold("h1"))
            let error = await #expect(throws: StoreError.self) { try await store.recordHold(Fixtures.hold("h1")) }
            #expect(error?.code == .duplicate)
            #expect(try await store.openHolds().count == 1)
        }
    }

    @Test("spend sums by team, tag and model, filtered by tenant and time", arguments: StoreKind.allCases)
    func spendGrouping(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let rows: [(String, Int64, String?, [String], String, Int64, String)] = [
                // id, cost µ$, team, tags, model, startedAt, tenant
                ("a", 100, "research", ["env:prod", "feature:search"], "gpt-4o", 1_000, "acme"),
                ("b", 200, "research", ["env:prod"], "claude-sonnet-4", 2_000, "acme"),
                ("c", 400, nil, ["feature:search"], "gpt-4o", 3_000, "acme"),
                ("d", 800, "ops", [], "gpt-4o", 4_000, "acme"),
                ("e", 1_600, "research", ["env:prod"], "gpt-4o", 2_500, "globex"),
            ]
            for (id, cost, team, tags, model, startedAt, tenant) in rows {
                let hold = Fixtures.hold(id, tenant: tenant)
                try await store.recordHold(hold)
                try await store.settle(Fixtures.entry(
                    for: hold, cost: .microdollars(cost), team: team, tags: tags, model: model, startedAt: startedAt
                ))
            }
            let perToken = Fixtures.entry(for: Fixtures.hold("x"), cost: .zero).usage
            func usage(times count: Int64) -> TokenUsage {
                TokenUsage(
                    input: perToken.input * count, cachedInput: perToken.cachedInput * count,
                    cacheWrite: perToken.cacheWrite * count, extendedCacheWrite: perToken.extendedCacheWrite * count,
                    output: perToken.output * count,
                    reasoning: perToken.reasoning * count,
                    audioInput: perToken.audioInput * count, audioOutput: perToken.audioOutput * count
                )
            }

            let byTeam = try await store.spend(SpendQuery(tenantID: "acme", groupBy: .team))
            #expect(byTeam == [
                SpendRow(group: "ops", requests: 1, usage: usage(times: 1), cost: .microdollars(800)),
                SpendRow(group: "", requests: 1, usage: usage(times: 1), cost: .microdollars(400)),
                SpendRow(group: "research", requests: 2, usage: usage(times: 2), cost: .microdollars(300)),
            ])

            let byTag = try await store.spend(SpendQuery(tenantID: "acme", groupBy: .tag))
            #expect(byTag.map(\.group) == ["feature:search", "env:prod"])
            #expect(byTag.map(\.cost) == [.microdollars(500), .microdollars(300)])
            #expect(byTag.map(\.requests) == [2, 2])

            let byModel = try await store.spend(SpendQuery(groupBy: .model))
            #expect(byModel.map(\.group) == ["gpt-4o", "claude-sonnet-4"])
            #expect(byModel.map(\.cost) == [.microdollars(2_900), .microdollars(200)])
            #expect(byModel.first?.usage == usage(times: 4))

            let window = try await store.spend(SpendQuery(tenantID: "acme", groupBy: .tenant, from: 2_000, to: 4_000))
            #expect(window == [SpendRow(group: "acme", requests: 2, usage: usage(times: 2), cost: .microdollars(600))])

            let byStatus = try await store.spend(SpendQuery(groupBy: .status))
            #expect(byStatus.map(\.group) == ["settled"])
            #expect(try await store.spend(SpendQuery(tenantID: "nobody", groupBy: .key)).isEmpty)
        }
    }

    @Test("the ledger lists newest first, per tenant, up to the limit", arguments: StoreKind.allCases)
    func ledgerOrder(kind: StoreKind) async throws {
        try await kind.withStore { store in
            for (id, startedAt) in [("old", 1), ("new", 3), ("mid", 2), ("tie", 3)] as [(String, Int64)] {
                let hold = Fixtures.hold(id)
                try await store.recordHold(hold)
                try await store.settle(Fixtures.entry(for: hold, cost: .microdollars(1), startedAt: startedAt))
            }
            let other = Fixtures.hold("elsewhere", tenant: "globex")
            try await store.recordHold(other)
            try await store.settle(Fixtures.entry(for: other, cost: .microdollars(1), startedAt: 9))

            #expect(try await store.ledger(tenantID: "acme", limit: 10).map(\.holdID) == ["tie", "new", "mid", "old"])
            #expect(try await store.ledger(tenantID: nil, limit: 2).map(\.holdID) == ["elsewhere", "tie"])
            #expect(try await store.ledger(tenantID: nil, limit: 0).isEmpty)
        }
    }

    @Test("500 concurrent hold and settle pairs land exactly once", arguments: StoreKind.allCases)
    func concurrentHotPath(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let count = 500
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<count {
                    group.addTask {
                        let hold = Fixtures.hold("h\(index)", createdAt: Int64(index))
                        try await store.recordHold(hold)
                        let settled = try await store.settle(Fixtures.entry(for: hold, cost: .microdollars(Int64(index))))
                        #expect(settled)
                    }
                }
                try await group.waitForAll()
            }
            let expected = Money.microdollars(Int64(count * (count - 1) / 2))
            #expect(try await store.openHolds().isEmpty)
            #expect(try await store.ledger(tenantID: nil, limit: 10 * count).count == count)
            #expect(try await store.spent(budgetID: "b-tenant", windowStart: 0) == expected)
            #expect(try await store.spent(budgetID: "b-team", windowStart: 1_000) == expected)

            // Replaying every settle concurrently changes nothing.
            let replays = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<count {
                    group.addTask {
                        let hold = Fixtures.hold("h\(index)", createdAt: Int64(index))
                        return try await store.settle(Fixtures.entry(for: hold, cost: .dollars(1)))
                    }
                }
                return try await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
            }
            #expect(replays == 0)
            #expect(try await store.spent(budgetID: "b-tenant", windowStart: 0) == expected)
        }
    }
}
