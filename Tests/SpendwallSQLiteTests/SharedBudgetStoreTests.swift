import Foundation
import PostgresNIO
import SpendwallCore
@testable import SpendwallPostgres
import SpendwallStorage
import Synchronization
import Testing

/// The shared-budget contract of the PostgreSQL store: reservations decided by the database.
@Suite("Shared budgets (PostgreSQL)", .enabled(if: PostgresTestDatabase.serverURL != nil))
struct SharedBudgetStoreTests {
    static func budget(_ id: String, limit: Money, shadow: Bool = false) -> BudgetRecord {
        BudgetRecord(
            id: id, tenantID: "acme", scope: .tenant(id), period: .total, limit: limit, timeZone: "UTC", createdAt: 1, shadow: shadow
        )
    }

    static func hold(_ id: String, _ amount: Money, on budgets: [String], expiresAt: Int64 = 700_000) -> HoldRecord {
        var record = Fixtures.hold(id, amount: amount, shares: budgets.map { HoldShare(budget: $0, windowStart: 0) })
        record.expiresAt = expiresAt
        return record
    }

    static func withShared(_ body: (any SharedBudgetStore) async throws -> Void) async throws {
        try await PostgresTestDatabase.withStore { store in
            try await body(try #require(store as? any SharedBudgetStore))
        }
    }

    @Test("a reservation takes every budget in scope or none: the first that cannot cover it refuses and nothing is written")
    func allOrNone() async throws {
        try await Self.withShared { store in
            try await store.upsertBudget(Self.budget("a", limit: .microdollars(10)))
            try await store.upsertBudget(Self.budget("b", limit: .microdollars(5)))
            try await store.upsertBudget(Self.budget("s", limit: .microdollars(1), shadow: true))

            let first = try await store.reserve(Self.hold("h1", .microdollars(4), on: ["b", "a", "s", "gone"]))
            guard case .reserved(let standings) = first else { Issue.record("refused: \(first)"); return }
            #expect(standings["a"] == BudgetStanding(spent: .zero, held: .microdollars(4)))
            #expect(standings["b"] == BudgetStanding(spent: .zero, held: .microdollars(4)))
            #expect(standings["s"]?.held == .microdollars(4), "a budget in shadow mode takes the hold past its limit")
            #expect(standings["gone"] == nil, "a budget that does not exist is skipped")

            let second = try await store.reserve(Self.hold("h2", .microdollars(2), on: ["a", "b"]))
            #expect(second == .refused(budget: "b", limit: .microdollars(5), standing: BudgetStanding(spent: .zero, held: .microdollars(4))))
            let windows = [HoldShare(budget: "a", windowStart: 0), HoldShare(budget: "b", windowStart: 0)]
            let after = try await store.standings(windows)
            #expect(after[windows[0]]?.held == .microdollars(4) && after[windows[1]]?.held == .microdollars(4))
            #expect(try await store.openHolds().map(\.hold.id) == ["h1"])

            let duplicate = await #expect(throws: StoreError.self) { _ = try await store.reserve(Self.hold("h1", .microdollars(1), on: ["a"])) }
            #expect(duplicate?.code == .duplicate)
        }
    }

    @Test("settling closes the hold: its amount leaves held, the cost joins spent, once; recordHold counts as held too")
    func settlementMovesHeldToSpent() async throws {
        try await Self.withShared { store in
            try await store.upsertBudget(Self.budget("a", limit: .microdollars(100)))
            let hold = Self.hold("h1", .microdollars(30), on: ["a"])
            _ = try await store.reserve(hold)
            try await store.recordHold(Self.hold("h2", .microdollars(20), on: ["a"]))
            let window = HoldShare(budget: "a", windowStart: 0)
            #expect(try await store.standings([window])[window] == BudgetStanding(spent: .zero, held: .microdollars(50)))

            #expect(try await store.settle(Fixtures.entry(for: hold, cost: .microdollars(12))))
            #expect(try await store.standings([window])[window] == BudgetStanding(spent: .microdollars(12), held: .microdollars(20)))
            #expect(try await store.settle(Fixtures.entry(for: hold, cost: .microdollars(30))) == false)
            #expect(try await store.standings([window])[window] == BudgetStanding(spent: .microdollars(12), held: .microdollars(20)))

            // A row for a hold that was never reserved here (admitted while the database was
            // down) charges its cost and leaves held alone.
            #expect(try await store.settle(Fixtures.entry(for: Self.hold("h3", .microdollars(9), on: ["a"]), cost: .microdollars(9))))
            #expect(try await store.standings([window])[window] == BudgetStanding(spent: .microdollars(21), held: .microdollars(20)))
        }
    }

    @Test("a batch settles each of its holds once: rows already there and repeats are skipped, each window charged with the sum, NULLs kept")
    func batchSettlement() async throws {
        try await Self.withShared { store in
            try await store.upsertBudget(Self.budget("a", limit: .microdollars(1_000)))
            try await store.upsertBudget(Self.budget("b", limit: .microdollars(1_000)))
            let h1 = Self.hold("h1", .microdollars(30), on: ["a", "b"])
            let h2 = Self.hold("h2", .microdollars(20), on: ["a"])
            let h3 = Self.hold("h3", .microdollars(10), on: ["b"])
            for hold in [h1, h2, h3] { _ = try await store.reserve(hold) }
            #expect(try await store.settle(Fixtures.entry(for: h1, cost: .microdollars(5))))

            var bare = Fixtures.entry(for: h2, cost: .microdollars(7), team: nil)
            bare.userID = nil
            bare.upstreamStatus = nil
            bare.upstreamID = nil
            bare.decision = nil
            let third = Fixtures.entry(for: h3, cost: .microdollars(4), tags: [])
            // Admitted while the database was down: never reserved here, so only its cost counts.
            let unreserved = Fixtures.entry(for: Self.hold("h4", .microdollars(2), on: ["a"]), cost: .microdollars(2))
            let written = try await store.settle(batch: [
                Fixtures.entry(for: h1, cost: .microdollars(30)), bare, third, Fixtures.entry(for: h2, cost: .microdollars(99)), unreserved,
            ])
            #expect(written == ["h2", "h3", "h4"])
            #expect(try await store.settle(batch: []).isEmpty)

            let windows = [HoldShare(budget: "a", windowStart: 0), HoldShare(budget: "b", windowStart: 0)]
            let standings = try await store.standings(windows)
            #expect(standings[windows[0]] == BudgetStanding(spent: .microdollars(5 + 7 + 2), held: .zero))
            #expect(standings[windows[1]] == BudgetStanding(spent: .microdollars(5 + 4), held: .zero))
            #expect(try await store.openHolds().isEmpty)
            let rows = try await store.ledger(tenantID: nil, limit: 10)
            #expect(rows.count == 4)
            #expect(rows.first { $0.holdID == "h2" } == bare, "NULL columns come back as nil")
            #expect(rows.first { $0.holdID == "h3" } == third)
            #expect(rows.first { $0.holdID == "h4" } == unreserved)
        }
    }

    @Test("batches racing for the same holds in opposite orders, beside reservations, never deadlock and charge each hold once")
    func concurrentBatches() async throws {
        try await Self.withShared { store in
            for id in ["tenant", "team", "key-a", "key-b"] { try await store.upsertBudget(Self.budget(id, limit: .microdollars(100_000))) }
            func scopes(_ index: Int) -> [String] {
                let key = index.isMultiple(of: 2) ? "key-a" : "key-b"
                return index.isMultiple(of: 3) ? [key, "team", "tenant"] : ["tenant", key, "team"]
            }
            // Several rounds: the writers must meet mid-batch for a wrong lock order to show.
            let count = 400, rounds = 4
            for round in 0..<rounds {
                let holds = (0..<count).map { Self.hold("r\(round)-h\($0)", .microdollars(3), on: scopes($0)) }
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for part in stride(from: 0, to: count, by: 50) {
                        group.addTask { for hold in holds[part..<part + 50] { _ = try await store.reserve(hold) } }
                    }
                    try await group.waitForAll()
                }
                // Two writers settle every hold (a replica's ledger writer and another's expiry
                // sweep) in large batches, in opposite orders, so that they meet halfway through; a
                // third settles some one by one (the one-row statement); new reservations run beside.
                let half = count / 2
                let forward = [Array(holds[..<half]), Array(holds[half...])]
                let backward = [Array(holds[half...].reversed()), Array(holds[..<half].reversed())]
                let single = stride(from: count - 1, through: 0, by: -7).map { [holds[$0]] }
                let written = try await withThrowingTaskGroup(of: Set<String>.self) { group in
                    for batch in zip(forward, backward).flatMap({ [$0, $1] }) + single {
                        group.addTask { try await store.settle(batch: batch.map { Fixtures.entry(for: $0, cost: .microdollars(1)) }) }
                    }
                    for index in count..<count + 40 {
                        group.addTask {
                            _ = try await store.reserve(Self.hold("r\(round)-h\(index)", .microdollars(3), on: scopes(index)))
                            return []
                        }
                    }
                    return try await group.reduce(into: [Set<String>]()) { $0.append($1) }
                }
                #expect(written.reduce(0) { $0 + $1.count } == count, "each hold written by exactly one batch")
                #expect(written.reduce(into: Set<String>()) { $0.formUnion($1) } == Set(holds.map(\.hold.id)))
            }
            let window = HoldShare(budget: "tenant", windowStart: 0)
            #expect(try await store.standings([window])[window] == BudgetStanding(spent: .microdollars(Int64(count * rounds)), held: .microdollars(Int64(3 * 40 * rounds))))
            #expect(try await store.openHolds().count == 40 * rounds)
        }
    }

    @Test("concurrent reservations on overlapping budgets never overspend and never deadlock")
    func concurrentReservations() async throws {
        try await Self.withShared { store in
            try await store.upsertBudget(Self.budget("tenant", limit: .microdollars(1_000)))
            try await store.upsertBudget(Self.budget("team", limit: .microdollars(50)))
            try await store.upsertBudget(Self.budget("key-a", limit: .microdollars(30)))
            try await store.upsertBudget(Self.budget("key-b", limit: .microdollars(30)))
            let outcomes = try await withThrowingTaskGroup(of: SharedReservation.self) { group in
                for index in 0..<200 {
                    // Scopes listed in different orders: the store locks them in one order.
                    let key = index.isMultiple(of: 2) ? "key-a" : "key-b"
                    let scopes = index.isMultiple(of: 3) ? [key, "team", "tenant"] : ["tenant", key, "team"]
                    group.addTask { try await store.reserve(Self.hold("h\(index)", .microdollars(1), on: scopes)) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let reserved = outcomes.filter { if case .reserved = $0 { true } else { false } }.count
            #expect(reserved == 50, "the team budget fits exactly 50")
            let windows = ["tenant", "team", "key-a", "key-b"].map { HoldShare(budget: $0, windowStart: 0) }
            let standings = try await store.standings(windows)
            #expect(standings[windows[1]]?.held == .microdollars(50))
            #expect(standings[windows[0]]?.held == .microdollars(50))
            #expect((standings[windows[2]]?.held ?? .zero) <= .microdollars(30) && (standings[windows[3]]?.held ?? .zero) <= .microdollars(30))
            #expect(try await store.openHolds().count == 50)
        }
    }

    @Test("reservations that create their budget windows at once (a new budget, a new period) never deadlock")
    func concurrentWindowCreation() async throws {
        try await Self.withShared { store in
            for id in ["tenant", "team", "key-a", "key-b", "key-c"] { try await store.upsertBudget(Self.budget(id, limit: .microdollars(100_000))) }
            // Each round opens a window no reservation has used: some requests find part of
            // their windows created by others, committed or not, while they create the rest.
            for window in Int64(1)...12 {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for index in 0..<40 {
                        let key = ["key-a", "key-b", "key-c"][index % 3]
                        let scopes = index.isMultiple(of: 2) ? [key, "team", "tenant"] : ["tenant", "team", key]
                        var hold = Fixtures.hold("w\(window)-\(index)", amount: .microdollars(1), shares: scopes.map { HoldShare(budget: $0, windowStart: window) })
                        hold.expiresAt = 700_000
                        group.addTask { _ = try await store.reserve(hold) }
                    }
                    try await group.waitForAll()
                }
                let tenant = HoldShare(budget: "tenant", windowStart: window)
                #expect(try await store.standings([tenant])[tenant]?.held == .microdollars(40))
            }
        }
    }

    @Test("rows admitted while the database was down, settled into windows that do not exist yet beside reservations creating them, never deadlock")
    func failOpenRowsOpenWindows() async throws {
        try await Self.withShared { store in
            for id in ["tenant", "team", "key-a", "key-b", "key-c"] { try await store.upsertBudget(Self.budget(id, limit: .microdollars(100_000))) }
            // Keys budgeted by month (windows that exist), team and tenant by day (a new window
            // each round): the first requests of a day find some windows and create the others.
            func shares(_ index: Int, day: Int64) -> [HoldShare] {
                let key = HoldShare(budget: ["key-a", "key-b", "key-c"][index % 3], windowStart: 0)
                let daily = [HoldShare(budget: "team", windowStart: day), HoldShare(budget: "tenant", windowStart: day)]
                return index.isMultiple(of: 2) ? [key] + daily : daily.reversed() + [key]
            }
            for index in 0..<3 { _ = try await store.reserve(Fixtures.hold("month-\(index)", amount: .microdollars(1), shares: shares(index, day: 0))) }
            for day in Int64(1)...60 {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for index in 0..<40 {
                        var hold = Fixtures.hold("d\(day)-\(index)", amount: .microdollars(1), shares: shares(index, day: day))
                        hold.expiresAt = 700_000
                        if index.isMultiple(of: 4) {
                            // Never reserved here (admitted under fail-open): its row creates the windows.
                            group.addTask { _ = try await store.settle(batch: [Fixtures.entry(for: hold, cost: .microdollars(1))]) }
                        } else {
                            group.addTask { _ = try await store.reserve(hold) }
                        }
                    }
                    try await group.waitForAll()
                }
                let tenant = HoldShare(budget: "tenant", windowStart: day)
                #expect(try await store.standings([tenant])[tenant] == BudgetStanding(spent: .microdollars(10), held: .microdollars(30)))
            }
        }
    }

    @Test("a replica of the previous version, calling spendwall_reserve without p_windows_exist, still reserves (and creates windows)")
    func previousVersionCall() async throws {
        try await Self.withShared { store in
            let postgres = try #require(store as? PostgresStore)
            try await store.upsertBudget(Self.budget("a", limit: .microdollars(10)))
            let call = { (hold: String, amount: Int64) in
                try await postgres.rows(PostgresQuery(unsafeSQL: """
                    SELECT r_budget, r_refused FROM spendwall_reserve('\(hold)', 'req', 'k1', 'acme', 'openai', 'gpt-4o', \(amount), '[]', '[]',
                        1, 700000, ARRAY['a']::TEXT[], ARRAY[5]::BIGINT[], TRUE)
                    """), "reserve as the previous version did")
            }
            let placed = try await call("old-1", 6_000)
            #expect(try placed.map { try $0.value("r_refused", as: Bool.self) } == [false])
            let refused = try await call("old-2", 6_000)
            #expect(try refused.map { try $0.value("r_refused", as: Bool.self) } == [true])
            let window = HoldShare(budget: "a", windowStart: 5)
            #expect(try await store.standings([window])[window] == BudgetStanding(spent: .zero, held: .microdollars(6)))
        }
    }

    @Test("expired holds of any replica are listed oldest first; live ones are not")
    func expiredHolds() async throws {
        try await Self.withShared { store in
            try await store.upsertBudget(Self.budget("a", limit: .microdollars(100)))
            _ = try await store.reserve(Self.hold("late", .microdollars(1), on: ["a"], expiresAt: 2_000))
            _ = try await store.reserve(Self.hold("early", .microdollars(1), on: ["a"], expiresAt: 1_000))
            _ = try await store.reserve(Self.hold("live", .microdollars(1), on: ["a"], expiresAt: 9_000))
            #expect(try await store.expiredHolds(now: 5_000, limit: 10).map(\.hold.id) == ["early", "late"])
            #expect(try await store.expiredHolds(now: 5_000, limit: 1).map(\.hold.id) == ["early"])
        }
    }

    @Test("changes to keys, budgets, blocks and policies are announced to every follower, after a first resync")
    func changeFeed() async throws {
        try await Self.withShared { store in
            let seen = Mutex<[String]>([])
            let follower = Task {
                try await store.followChanges { change in seen.withLock { $0.append(change) } }
            }
            defer { follower.cancel() }
            try await waitUntil { seen.withLock { $0 == [resyncChange] } }
            try await store.insertTenant(Fixtures.tenant("acme"))
            try await store.upsertBudget(Self.budget("a", limit: .microdollars(100)))
            try await store.insertKey(Fixtures.key("k1"))
            try await waitUntil { seen.withLock { $0 == [resyncChange, "tenants", "budgets", "api_keys"] } }
            // Hot-path writes announce nothing.
            _ = try await store.reserve(Self.hold("h1", .microdollars(1), on: ["a"]))
            try await Task.sleep(for: .milliseconds(200))
            #expect(seen.withLock { $0 } == [resyncChange, "tenants", "budgets", "api_keys"])
        }
    }
}

/// Polls `condition` every 20 ms for up to `seconds`.
func waitUntil(seconds: Double = 5, _ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while !condition() {
        guard ContinuousClock.now < deadline else {
            Issue.record("condition not met in \(seconds) s")
            return
        }
        try await Task.sleep(for: .milliseconds(20))
    }
}
