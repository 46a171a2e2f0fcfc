import GRDB
import SpendwallCore
import SpendwallStorage

extension SQLiteStore {
    /// Every hold not yet settled, oldest first.
    public func openHolds() async throws -> [HoldRecord] {
        try await read("list open holds") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM holds ORDER BY created_at, hold_id").map(HoldRecord.init(row:))
        }
    }

    /// Spend, holds and ledger totals from one read transaction (a snapshot of the WAL).
    public func ledgerFacts() async throws -> LedgerFacts {
        try await read("read the ledger's totals") { db in
            var facts = LedgerFacts()
            func windows(_ sql: String) throws -> [HoldShare: Money] {
                var result: [HoldShare: Money] = [:]
                for row in try Row.fetchAll(db, sql: sql) {
                    result[HoldShare(budget: row[0], windowStart: row[1])] = Money(nanodollars: row[2])
                }
                return result
            }
            facts.recordedSpent = try windows("SELECT budget_id, window_start, spent_nanos FROM budget_usage")
            facts.ledgerSpent = try windows("""
                SELECT json_extract(s.value, '$.budget'), json_extract(s.value, '$.windowStart'), SUM(l.cost_nanos)
                FROM ledger l, json_each(l.shares) s GROUP BY 1, 2
                """)
            facts.openHeld = try windows("""
                SELECT json_extract(s.value, '$.budget'), json_extract(s.value, '$.windowStart'), SUM(h.amount_nanos)
                FROM holds h, json_each(h.shares) s GROUP BY 1, 2
                """)
            facts.duplicateSettlements = try String.fetchAll(db, sql: "SELECT hold_id FROM ledger GROUP BY hold_id HAVING COUNT(*) > 1")
            facts.settledButOpen = try String.fetchAll(db, sql: "SELECT h.hold_id FROM holds h JOIN ledger l ON l.hold_id = h.hold_id")
            facts.ledgerRows = try Int64.fetchOne(db, sql: "SELECT COUNT(*) FROM ledger") ?? 0
            facts.openHolds = try Int64.fetchOne(db, sql: "SELECT COUNT(*) FROM holds") ?? 0
            return facts
        }
    }

    /// Spend charged to a budget in the window starting at `windowStart`; zero if none.
    public func spent(budgetID: String, windowStart: Int64) async throws -> Money {
        try await read("read budget usage") { db in
            let nanos = try Int64.fetchOne(
                db, sql: "SELECT spent_nanos FROM budget_usage WHERE budget_id = ? AND window_start = ?",
                arguments: [budgetID, windowStart]
            )
            return Money(nanodollars: nanos ?? 0)
        }
    }

    /// Spend summed per group, most expensive first (ties by group, in byte order).
    ///
    /// Rows without a team or user group under `""`. Grouped by tag, a row counts once under each
    /// of its tags, and rows without tags do not appear.
    public func spend(_ query: SpendQuery) async throws -> [SpendRow] {
        let (group, join) = Self.grouping(query.groupBy)
        var conditions: [String] = []
        var arguments = StatementArguments()
        if let tenantID = query.tenantID {
            conditions.append("l.tenant_id = ?")
            arguments += [tenantID]
        }
        if let from = query.from {
            conditions.append("l.started_at >= ?")
            arguments += [from]
        }
        if let to = query.to {
            conditions.append("l.started_at < ?")
            arguments += [to]
        }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let sql = """
            SELECT \(group) AS grp, SUM(CASE WHEN l.endpoint = 'gpu_time' THEN 0 ELSE 1 END) AS requests,
                   SUM(l.input_tokens) AS input, SUM(l.cached_input_tokens) AS cached_input,
                   SUM(l.cache_write_tokens) AS cache_write, SUM(l.extended_cache_write_tokens) AS extended_cache_write,
                   SUM(l.output_tokens) AS output,
                   SUM(l.reasoning_tokens) AS reasoning, SUM(l.audio_input_tokens) AS audio_input,
                   SUM(l.audio_output_tokens) AS audio_output, SUM(l.cost_nanos) AS cost,
                   SUM(CASE WHEN l.endpoint = 'gpu_time' THEN l.cost_nanos ELSE 0 END) AS gpu_cost,
                   SUM(CASE WHEN l.status = 'cached' THEN l.list_cost_nanos ELSE 0 END) AS saved
            FROM ledger l \(join) \(filter)
            GROUP BY grp
            ORDER BY cost DESC, grp
            """
        return try await read("sum spend") { [arguments] db in
            try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                try SpendRow(
                    group: row.column("grp"),
                    requests: row.column("requests"),
                    usage: TokenUsage(
                        input: row.column("input"), cachedInput: row.column("cached_input"),
                        cacheWrite: row.column("cache_write"), extendedCacheWrite: row.column("extended_cache_write"),
                        output: row.column("output"),
                        reasoning: row.column("reasoning"),
                        audioInput: row.column("audio_input"), audioOutput: row.column("audio_output")
                    ),
                    cost: row.money("cost"), gpuTimeCost: row.money("gpu_cost"), cacheSavings: row.money("saved")
                )
            }
        }
    }

    /// Ledger rows of one tenant (or all), newest first by `startedAt`, then by insertion.
    public func ledger(tenantID: String?, limit: Int) async throws -> [LedgerEntry] {
        let filter = tenantID == nil ? "" : "WHERE tenant_id = ?"
        let sql = "SELECT * FROM ledger \(filter) ORDER BY started_at DESC, id DESC LIMIT ?"
        var arguments = StatementArguments()
        if let tenantID { arguments += [tenantID] }
        arguments += [max(limit, 0)]
        return try await read("read the ledger") { [arguments] db in
            try Row.fetchAll(db, sql: sql, arguments: arguments).map(LedgerEntry.init(row:))
        }
    }

    /// The SQL expression naming a row's group, and the join it needs.
    /// The SQL expression a grouping groups by, and the join it needs, on the table aliased
    /// `table` (ledger rows `l`, refusals `r`: a refusal's status is `refused`).
    static func grouping(_ grouping: SpendQuery.Grouping, table: String = "l") -> (expression: String, join: String) {
        switch grouping {
        case .tenant: ("\(table).tenant_id", "")
        case .team: ("COALESCE(\(table).team_id, '')", "")
        case .user: ("COALESCE(\(table).user_id, '')", "")
        case .key: ("\(table).key_id", "")
        case .model: ("\(table).model", "")
        case .provider: ("\(table).provider", "")
        case .status: (table == "l" ? "l.status" : "'refused'", "")
        case .tag: ("t.value", "JOIN json_each(\(table).tags) t")
        }
    }
}
