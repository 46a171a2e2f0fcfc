import Foundation
import SpendwallCore
import SpendwallPostgres
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
