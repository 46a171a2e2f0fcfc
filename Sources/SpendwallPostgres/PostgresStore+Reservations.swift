import PostgresNIO
import SpendwallCore
import SpendwallStorage
import Synchronization

// Budgets shared by replicas: reservations decided by the database, expired holds of any
// replica, and the feed of control-plane changes.
extension PostgresStore: SharedBudgetStore {
    /// The channel the change triggers notify on.
    static let changeChannel = "spendwall_changes"

    public func reserve(_ hold: HoldRecord) async throws -> SharedReservation {
        try await placeHold(hold, enforce: true)
    }

    /// One call of `spendwall_reserve`: the whole reservation in one statement, so the row locks
    /// are held for the function's run, not for round trips.
    func placeHold(_ record: HoldRecord, enforce: Bool) async throws -> SharedReservation {
        try await createWindows(record.hold.shares)
        let query = try Self.reserveQuery(record, enforce: enforce)
        let found = try await preparedRows(
            PreparedQuery<ReserveStatement>(query), "reserve hold '\(record.hold.id)'", duplicate: "hold '\(record.hold.id)' already exists"
        )
        var standings: [BudgetID: BudgetStanding] = [:]
        for row in found {
            let budget: String = try row.value("r_budget")
            let standing = BudgetStanding(spent: try row.money("r_spent"), held: try row.money("r_held"))
            if try row.value("r_refused", as: Bool.self) {
                return .refused(budget: budget, limit: try row.money("r_limit"), standing: standing)
            }
            standings[budget] = standing
        }
        return .reserved(standings)
    }

    /// Creates the budget windows this process has not seen, in a statement of their own that
    /// holds no lock while it waits for another request creating the same window. Reservations
    /// and settlements call it before anything that locks windows: creating a window after
    /// locking others could deadlock with a request creating it. Windows are never deleted, so
    /// each is looked for once per process.
    func createWindows(_ windows: some Sequence<HoldShare>) async throws {
        let unknown = knownWindows.withLock { known in Set(windows).subtracting(known) }
        guard !unknown.isEmpty else { return }
        let sorted = unknown.sorted { ($0.budget, $0.windowStart) < ($1.budget, $1.windowStart) }
        try await execute("""
            INSERT INTO budget_usage (budget_id, window_start, spent_nanos, held_nanos)
            SELECT t.b, t.w, 0, 0 FROM unnest(\(sorted.map(\.budget))::TEXT[], \(sorted.map(\.windowStart))::BIGINT[]) AS t(b, w)
            ORDER BY t.b, t.w
            ON CONFLICT (budget_id, window_start) DO NOTHING
            """, "create budget windows")
        knownWindows.withLock { known in
            if known.count > 100_000 { known.removeAll() }
            known.formUnion(unknown)
        }
    }

    /// The windows exist (``createWindows(_:)``), so `spendwall_reserve` is told not to look
    /// for missing ones.
    static func reserveQuery(_ record: HoldRecord, enforce: Bool) throws -> PostgresQuery {
        let shares = record.hold.shares.sorted { $0.budget < $1.budget }
        return """
            SELECT r_budget, r_limit, r_spent, r_held, r_refused FROM spendwall_reserve(
                \(record.hold.id), \(record.requestID), \(record.keyID), \(record.tenantID), \(record.provider.rawValue), \(record.model),
                \(record.hold.amount.nanodollars), \(ColumnJSON.encode(record.hold.shares)), \(ColumnJSON.encode(record.tags)),
                \(record.createdAt), \(record.expiresAt), \(shares.map(\.budget))::TEXT[], \(shares.map(\.windowStart))::BIGINT[], \(enforce), TRUE
            )
            """
    }

    public func standings(_ windows: [HoldShare]) async throws -> [HoldShare: BudgetStanding] {
        let found = try await rows("""
            SELECT u.budget_id, u.window_start, u.spent_nanos, u.held_nanos
            FROM budget_usage u JOIN unnest(\(windows.map(\.budget))::TEXT[], \(windows.map(\.windowStart))::BIGINT[]) AS t(b, w)
              ON u.budget_id = t.b AND u.window_start = t.w
            """, "read budget standings")
        var result: [HoldShare: BudgetStanding] = [:]
        for window in windows { result[window] = BudgetStanding(spent: .zero, held: .zero) }
        for row in found {
            let window = HoldShare(budget: try row.value("budget_id"), windowStart: try row.value("window_start"))
            result[window] = BudgetStanding(spent: try row.money("spent_nanos"), held: try row.money("held_nanos"))
        }
        return result
    }

    public func expiredHolds(now: Int64, limit: Int) async throws -> [HoldRecord] {
        try await rows(
            "SELECT * FROM holds WHERE expires_at <= \(now) ORDER BY expires_at, hold_id LIMIT \(Int64(max(0, limit)))",
            "list expired holds"
        ).map(Self.holdRecord)
    }

    public func followChanges(_ onChange: @escaping @Sendable (String) async -> Void) async throws {
        try await perform("follow control-plane changes", waitsIndefinitely: true) { [self] in
            try await client.withConnection { connection in
                try await connection.listen(on: Self.changeChannel) { notifications in
                    await onChange(resyncChange)
                    for try await notification in notifications {
                        await onChange(notification.payload)
                    }
                }
            }
        }
    }

    static func holdRecord(_ row: PostgresRandomAccessRow) throws -> HoldRecord {
        try HoldRecord(
            hold: Hold(id: row.value("hold_id"), amount: row.money("amount_nanos"), shares: decode([HoldShare].self, json: row.value("shares"))),
            requestID: row.value("request_id"), keyID: row.value("key_id"), tenantID: row.value("tenant_id"),
            provider: row.enumeration("provider"), model: row.value("model"), tags: decode([String].self, json: row.value("tags")),
            createdAt: row.value("created_at"), expiresAt: row.value("expires_at")
        )
    }
}
