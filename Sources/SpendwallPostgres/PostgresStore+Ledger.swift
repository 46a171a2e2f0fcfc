import Logging
import PostgresNIO
import SpendwallCore
import SpendwallStorage

// The hot path (holds and settlements) and the reads of holds, usage, spend and the ledger.
extension PostgresStore {
    public func recordHold(_ record: HoldRecord) async throws {
        _ = try await placeHold(record, enforce: false)
    }

    /// Appends the ledger row and, only if it was not there yet, in the same statement: closes
    /// the hold (its amount leaves `held`) and charges the cost to every share's window.
    @discardableResult
    public func settle(_ entry: LedgerEntry) async throws -> Bool {
        try await settle(batch: [entry]).contains(entry.holdID)
    }

    /// Settles rows in one statement (one transaction), each as ``settle(_:)`` would: the rows
    /// go in in hold-id order, then the holds they close, then each budget window is updated
    /// once for the whole batch, in budget-id order like a reservation's. A transaction only
    /// waits for a ledger row while it holds no budget window, and locks windows that exist in
    /// one order: no two settlements, reservations or expiry sweeps can deadlock.
    public func settle(batch entries: [LedgerEntry]) async throws -> Set<String> {
        var seen = Set<String>()
        let unique = entries.filter { seen.insert($0.holdID).inserted }
        guard !unique.isEmpty else { return [] }
        // A window this process has not seen (a row admitted while the database was down, a
        // hold another replica reserved) is created first.
        try await createWindows(unique.flatMap(\.shares))
        // One row (every settlement on a quiet replica) has a statement of its own: the batch's
        // arrays cost the database more than they save for one row.
        let found = if unique.count == 1 {
            try await preparedRows(PreparedQuery<SettleOneStatement>(Self.settleQuery(unique[0])), "settle hold '\(unique[0].holdID)'")
        } else {
            try await preparedRows(PreparedQuery<SettleStatement>(Self.settleQuery(unique)), "settle \(unique.count) holds")
        }
        return Set(try found.map { try $0.value("hold_id", as: String.self) })
    }

    /// The settlement of one row, in the same order as a batch's: the row, the hold, then the
    /// share windows in budget-id order.
    static func settleQuery(_ entry: LedgerEntry) -> PostgresQuery {
        let usage = entry.usage
        return """
            WITH inserted AS (
                INSERT INTO ledger (request_id, hold_id, key_id, tenant_id, team_id, user_id, tags, provider, model, endpoint, rates,
                                    input_tokens, cached_input_tokens, cache_write_tokens, extended_cache_write_tokens, output_tokens,
                                    reasoning_tokens, audio_input_tokens, audio_output_tokens, catalog_version, cost_nanos,
                                    list_cost_nanos, hold_nanos, status, upstream_status, upstream_id, latency_ms, started_at,
                                    finished_at, shares, decision)
                VALUES (\(entry.requestID), \(entry.holdID), \(entry.keyID), \(entry.tenantID), \(entry.teamID), \(entry.userID),
                        \(ColumnJSON.encode(entry.tags)), \(entry.provider.rawValue), \(entry.model), \(entry.endpoint), \(ColumnJSON.encode(entry.rates)),
                        \(usage.input), \(usage.cachedInput), \(usage.cacheWrite), \(usage.extendedCacheWrite), \(usage.output),
                        \(usage.reasoning), \(usage.audioInput), \(usage.audioOutput), \(entry.catalogVersion), \(entry.cost.nanodollars),
                        \(entry.listCost.nanodollars), \(entry.hold.nanodollars), \(entry.status.rawValue), \(entry.upstreamStatus.map(Int64.init)),
                        \(entry.upstreamID), \(entry.latencyMillis), \(entry.startedAt), \(entry.finishedAt), \(ColumnJSON.encode(entry.shares)),
                        \(entry.decision))
                ON CONFLICT (hold_id) DO NOTHING RETURNING hold_id
            ), closed AS (
                DELETE FROM holds WHERE hold_id = \(entry.holdID) AND EXISTS (SELECT 1 FROM inserted) RETURNING amount_nanos
            ), charged AS (
                INSERT INTO budget_usage (budget_id, window_start, spent_nanos, held_nanos)
                SELECT t.b, t.w, \(entry.cost.nanodollars), -COALESCE((SELECT amount_nanos FROM closed), 0)
                FROM unnest(\(entry.shares.map(\.budget))::TEXT[], \(entry.shares.map(\.windowStart))::BIGINT[]) AS t(b, w)
                WHERE EXISTS (SELECT 1 FROM inserted)
                ORDER BY t.b, t.w
                ON CONFLICT (budget_id, window_start) DO UPDATE
                SET spent_nanos = budget_usage.spent_nanos + excluded.spent_nanos, held_nanos = budget_usage.held_nanos + excluded.held_nanos
                RETURNING 1
            )
            SELECT hold_id FROM inserted
            """
    }

    /// The settlement of a batch: one array per column (rows with distinct hold ids), and the
    /// shares flattened into three more.
    static func settleQuery(_ entries: [LedgerEntry]) -> PostgresQuery {
        let usage = entries.map(\.usage)
        let shares = entries.flatMap { entry in entry.shares.map { (hold: entry.holdID, share: $0) } }
        return """
            WITH batch AS (
                SELECT * FROM unnest(
                    \(entries.map(\.requestID))::TEXT[], \(entries.map(\.holdID))::TEXT[], \(entries.map(\.keyID))::TEXT[],
                    \(entries.map(\.tenantID))::TEXT[], \(NullableArray(entries.map(\.teamID)))::TEXT[], \(NullableArray(entries.map(\.userID)))::TEXT[],
                    \(entries.map { ColumnJSON.encode($0.tags) })::TEXT[], \(entries.map(\.provider.rawValue))::TEXT[], \(entries.map(\.model))::TEXT[],
                    \(entries.map(\.endpoint))::TEXT[], \(entries.map { ColumnJSON.encode($0.rates) })::TEXT[],
                    \(usage.map(\.input))::BIGINT[], \(usage.map(\.cachedInput))::BIGINT[], \(usage.map(\.cacheWrite))::BIGINT[],
                    \(usage.map(\.extendedCacheWrite))::BIGINT[], \(usage.map(\.output))::BIGINT[], \(usage.map(\.reasoning))::BIGINT[],
                    \(usage.map(\.audioInput))::BIGINT[], \(usage.map(\.audioOutput))::BIGINT[], \(entries.map(\.catalogVersion))::TEXT[],
                    \(entries.map(\.cost.nanodollars))::BIGINT[], \(entries.map(\.listCost.nanodollars))::BIGINT[], \(entries.map(\.hold.nanodollars))::BIGINT[],
                    \(entries.map(\.status.rawValue))::TEXT[], \(NullableArray(entries.map { $0.upstreamStatus.map(Int64.init) }))::BIGINT[],
                    \(NullableArray(entries.map(\.upstreamID)))::TEXT[], \(entries.map(\.latencyMillis))::BIGINT[], \(entries.map(\.startedAt))::BIGINT[],
                    \(entries.map(\.finishedAt))::BIGINT[], \(entries.map { ColumnJSON.encode($0.shares) })::TEXT[], \(NullableArray(entries.map(\.decision)))::TEXT[]
                ) AS b(request_id, hold_id, key_id, tenant_id, team_id, user_id, tags, provider, model, endpoint, rates,
                       input_tokens, cached_input_tokens, cache_write_tokens, extended_cache_write_tokens, output_tokens,
                       reasoning_tokens, audio_input_tokens, audio_output_tokens, catalog_version, cost_nanos,
                       list_cost_nanos, hold_nanos, status, upstream_status, upstream_id, latency_ms, started_at,
                       finished_at, shares, decision)
            ), inserted AS (
                INSERT INTO ledger (request_id, hold_id, key_id, tenant_id, team_id, user_id, tags, provider, model, endpoint, rates,
                                    input_tokens, cached_input_tokens, cache_write_tokens, extended_cache_write_tokens, output_tokens,
                                    reasoning_tokens, audio_input_tokens, audio_output_tokens, catalog_version, cost_nanos,
                                    list_cost_nanos, hold_nanos, status, upstream_status, upstream_id, latency_ms, started_at,
                                    finished_at, shares, decision)
                SELECT * FROM batch ORDER BY hold_id COLLATE "C"
                ON CONFLICT (hold_id) DO NOTHING RETURNING hold_id, cost_nanos
            ), closed AS (
                DELETE FROM holds h USING inserted i WHERE h.hold_id = i.hold_id RETURNING h.hold_id, h.amount_nanos
            ), charged AS (
                INSERT INTO budget_usage (budget_id, window_start, spent_nanos, held_nanos)
                SELECT s.b, s.w, SUM(i.cost_nanos)::BIGINT, -SUM(COALESCE(c.amount_nanos, 0))::BIGINT
                FROM unnest(\(shares.map(\.hold))::TEXT[], \(shares.map(\.share.budget))::TEXT[], \(shares.map(\.share.windowStart))::BIGINT[]) AS s(h, b, w)
                JOIN inserted i ON i.hold_id = s.h
                LEFT JOIN closed c ON c.hold_id = s.h
                GROUP BY s.b, s.w
                ORDER BY s.b, s.w
                ON CONFLICT (budget_id, window_start) DO UPDATE
                SET spent_nanos = budget_usage.spent_nanos + excluded.spent_nanos, held_nanos = budget_usage.held_nanos + excluded.held_nanos
                RETURNING 1
            )
            SELECT hold_id FROM inserted
            """
    }

    public func openHolds() async throws -> [HoldRecord] {
        try await rows("SELECT * FROM holds ORDER BY created_at, hold_id", "list open holds").map(Self.holdRecord)
    }

    /// Spend, holds and ledger totals from one repeatable-read transaction (one snapshot).
    public func ledgerFacts() async throws -> LedgerFacts {
        try await perform("read the ledger's totals", waitsIndefinitely: true) { [self] in
            try await client.withConnection { connection in
                try await Self.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", on: connection, logger: logger)
                do {
                    let facts = try await Self.ledgerFacts(on: connection, logger: logger)
                    try await Self.execute("COMMIT", on: connection, logger: logger)
                    return facts
                } catch {
                    _ = try? await Self.execute("ROLLBACK", on: connection, logger: logger)
                    throw error
                }
            }
        }
    }

    private static func ledgerFacts(on connection: PostgresConnection, logger: Logger) async throws -> LedgerFacts {
        func rows(_ query: PostgresQuery) async throws -> [PostgresRandomAccessRow] {
            var rows: [PostgresRandomAccessRow] = []
            for try await row in try await connection.query(query, logger: logger) { rows.append(row.makeRandomAccess()) }
            return rows
        }
        func windows(_ query: PostgresQuery, _ column: String) async throws -> [HoldShare: Money] {
            var result: [HoldShare: Money] = [:]
            for row in try await rows(query) {
                result[HoldShare(budget: try row.value("b"), windowStart: try row.value("w"))] = try row.money(column)
            }
            return result
        }
        var facts = LedgerFacts()
        facts.recordedSpent = try await windows("SELECT budget_id AS b, window_start AS w, spent_nanos FROM budget_usage", "spent_nanos")
        facts.recordedHeld = try await windows("SELECT budget_id AS b, window_start AS w, held_nanos FROM budget_usage", "held_nanos")
        facts.ledgerSpent = try await windows("""
            SELECT s->>'budget' AS b, (s->>'windowStart')::BIGINT AS w, SUM(l.cost_nanos)::BIGINT AS total
            FROM ledger l CROSS JOIN LATERAL jsonb_array_elements(l.shares::jsonb) AS s GROUP BY 1, 2
            """, "total")
        facts.openHeld = try await windows("""
            SELECT s->>'budget' AS b, (s->>'windowStart')::BIGINT AS w, SUM(h.amount_nanos)::BIGINT AS total
            FROM holds h CROSS JOIN LATERAL jsonb_array_elements(h.shares::jsonb) AS s GROUP BY 1, 2
            """, "total")
        facts.duplicateSettlements = try await rows("SELECT hold_id FROM ledger GROUP BY hold_id HAVING COUNT(*) > 1").map { try $0.value("hold_id") }
        facts.settledButOpen = try await rows("SELECT h.hold_id FROM holds h JOIN ledger l ON l.hold_id = h.hold_id").map { try $0.value("hold_id") }
        facts.ledgerRows = try await rows("SELECT COUNT(*) AS n FROM ledger").first?.value("n") ?? 0
        facts.openHolds = try await rows("SELECT COUNT(*) AS n FROM holds").first?.value("n") ?? 0
        return facts
    }

    public func spent(budgetID: String, windowStart: Int64) async throws -> Money {
        let found = try await rows("SELECT spent_nanos FROM budget_usage WHERE budget_id = \(budgetID) AND window_start = \(windowStart)", "read budget usage")
        return try found.first.map { try $0.money("spent_nanos") } ?? .zero
    }

    public func spend(_ query: SpendQuery) async throws -> [SpendRow] {
        let (group, join) = Self.grouping(query.groupBy, table: "l")
        var sql = PostgresQuery(unsafeSQL: """
            SELECT \(group) AS grp, SUM(CASE WHEN l.endpoint = 'gpu_time' THEN 0 ELSE 1 END)::BIGINT AS requests,
                   SUM(l.input_tokens)::BIGINT AS input, SUM(l.cached_input_tokens)::BIGINT AS cached_input,
                   SUM(l.cache_write_tokens)::BIGINT AS cache_write, SUM(l.extended_cache_write_tokens)::BIGINT AS extended_cache_write,
                   SUM(l.output_tokens)::BIGINT AS output, SUM(l.reasoning_tokens)::BIGINT AS reasoning,
                   SUM(l.audio_input_tokens)::BIGINT AS audio_input, SUM(l.audio_output_tokens)::BIGINT AS audio_output,
                   SUM(l.cost_nanos)::BIGINT AS cost,
                   SUM(CASE WHEN l.endpoint = 'gpu_time' THEN l.cost_nanos ELSE 0 END)::BIGINT AS gpu_cost,
                   SUM(CASE WHEN l.status = 'cached' THEN l.list_cost_nanos ELSE 0 END)::BIGINT AS saved
            FROM ledger l \(join)
            WHERE ($1::TEXT IS NULL OR l.tenant_id = $1) AND ($2::BIGINT IS NULL OR l.started_at >= $2) AND ($3::BIGINT IS NULL OR l.started_at < $3)
            GROUP BY 1 ORDER BY cost DESC, \(group) COLLATE "C"
            """)
        sql.binds.append(query.tenantID)
        sql.binds.append(query.from)
        sql.binds.append(query.to)
        return try await rows(sql, "sum spend").map { row in
            try SpendRow(
                group: row.value("grp"), requests: row.value("requests"),
                usage: TokenUsage(
                    input: row.value("input"), cachedInput: row.value("cached_input"), cacheWrite: row.value("cache_write"),
                    extendedCacheWrite: row.value("extended_cache_write"), output: row.value("output"), reasoning: row.value("reasoning"),
                    audioInput: row.value("audio_input"), audioOutput: row.value("audio_output")
                ),
                cost: row.money("cost"), gpuTimeCost: row.money("gpu_cost"), cacheSavings: row.money("saved")
            )
        }
    }

    /// The SQL expression a grouping groups by, and the join it needs, on the table aliased
    /// `table` (ledger rows `l`, refusals `r`: a refusal's status is `refused`).
    static func grouping(_ grouping: SpendQuery.Grouping, table: String) -> (expression: String, join: String) {
        switch grouping {
        case .tenant: ("\(table).tenant_id", "")
        case .team: ("COALESCE(\(table).team_id, '')", "")
        case .user: ("COALESCE(\(table).user_id, '')", "")
        case .key: ("\(table).key_id", "")
        case .model: ("\(table).model", "")
        case .provider: ("\(table).provider", "")
        case .status: (table == "l" ? "l.status" : "'refused'", "")
        case .tag: ("t.value", "CROSS JOIN LATERAL jsonb_array_elements_text(\(table).tags::jsonb) AS t(value)")
        }
    }

    public func ledger(tenantID: String?, limit: Int) async throws -> [LedgerEntry] {
        try await rows(
            "SELECT * FROM ledger WHERE \(tenantID)::TEXT IS NULL OR tenant_id = \(tenantID) ORDER BY started_at DESC, id DESC LIMIT \(Int64(max(0, limit)))",
            "read the ledger"
        ).map(Self.ledgerEntry)
    }

    /// The newest ledger row of the tenant with this provider response id.
    public func ledgerEntry(upstreamID: String, tenantID: String) async throws -> LedgerEntry? {
        try await rows(
            "SELECT * FROM ledger WHERE tenant_id = \(tenantID) AND upstream_id = \(upstreamID) ORDER BY id DESC LIMIT 1",
            "find a response in the ledger"
        ).first.map(Self.ledgerEntry)
    }

    static func ledgerEntry(_ row: PostgresRandomAccessRow) throws -> LedgerEntry {
        let upstreamStatus: Int64? = try row.value("upstream_status")
        return try LedgerEntry(
            requestID: row.value("request_id"), holdID: row.value("hold_id"), keyID: row.value("key_id"), tenantID: row.value("tenant_id"),
            teamID: row.value("team_id"), userID: row.value("user_id"), tags: Self.decode([String].self, json: row.value("tags")),
            provider: row.enumeration("provider"), model: row.value("model"), endpoint: row.value("endpoint"),
            usage: TokenUsage(
                input: row.value("input_tokens"), cachedInput: row.value("cached_input_tokens"), cacheWrite: row.value("cache_write_tokens"),
                extendedCacheWrite: row.value("extended_cache_write_tokens"), output: row.value("output_tokens"),
                reasoning: row.value("reasoning_tokens"), audioInput: row.value("audio_input_tokens"), audioOutput: row.value("audio_output_tokens")
            ),
            rates: Self.decode(TokenRates.self, json: row.value("rates")), catalogVersion: row.value("catalog_version"),
            cost: row.money("cost_nanos"), listCost: row.money("list_cost_nanos"), hold: row.money("hold_nanos"),
            status: row.enumeration("status"), upstreamStatus: upstreamStatus.map(Int.init), upstreamID: row.value("upstream_id"),
            latencyMillis: row.value("latency_ms"), startedAt: row.value("started_at"), finishedAt: row.value("finished_at"),
            shares: Self.decode([HoldShare].self, json: row.value("shares")), decision: row.value("decision")
        )
    }
}
