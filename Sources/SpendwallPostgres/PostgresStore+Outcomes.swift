import PostgresNIO
import SpendwallCore
import SpendwallStorage

extension PostgresStore {
    public func insertRefusal(_ refusal: RefusalRecord) async throws {
        let tags = try Self.json(refusal.tags)
        try await execute("""
            INSERT INTO refusals (tenant_id, key_id, team_id, user_id, tags, model, provider, reason, at)
            VALUES (\(refusal.tenantID), \(refusal.keyID), \(refusal.teamID), \(refusal.userID), \(tags), \(refusal.model),
                    \(refusal.provider.rawValue), \(refusal.reason), \(refusal.at))
            """, "record a refusal")
    }

    public func refusalCounts(_ query: SpendQuery) async throws -> [RefusalCount] {
        let (group, join) = Self.grouping(query.groupBy, table: "r")
        var sql = PostgresQuery(unsafeSQL: """
            SELECT \(group) AS grp, r.reason AS reason, COUNT(*)::BIGINT AS n FROM refusals r \(join)
            WHERE ($1::TEXT IS NULL OR r.tenant_id = $1) AND ($2::BIGINT IS NULL OR r.at >= $2) AND ($3::BIGINT IS NULL OR r.at < $3)
            GROUP BY 1, 2 ORDER BY \(group) COLLATE "C", r.reason COLLATE "C"
            """)
        sql.binds.append(query.tenantID)
        sql.binds.append(query.from)
        sql.binds.append(query.to)
        return try await rows(sql, "count refusals").map { row in
            try RefusalCount(group: row.value("grp"), reason: row.value("reason"), count: row.value("n"))
        }
    }

    public func insertTraceLink(tenantID: String, traceID: String, requestID: String) async throws {
        try await execute("""
            INSERT INTO trace_links (tenant_id, trace_id, request_id) VALUES (\(tenantID), \(traceID), \(requestID)) ON CONFLICT DO NOTHING
            """, "link a trace")
    }

    public func requestIDs(traceID: String, tenantID: String) async throws -> [String] {
        try await rows(
            "SELECT request_id FROM trace_links WHERE tenant_id = \(tenantID) AND trace_id = \(traceID) ORDER BY request_id COLLATE \"C\"",
            "find a trace"
        ).map { row in try row.value("request_id") }
    }

    public func insertOutcome(_ outcome: OutcomeRecord) async throws {
        try await execute("""
            INSERT INTO outcomes (tenant_id, request_id, verdict, key_id, at)
            VALUES (\(outcome.tenantID), \(outcome.requestID), \(outcome.verdict.rawValue), \(outcome.keyID), \(outcome.at))
            ON CONFLICT (tenant_id, request_id) DO UPDATE SET verdict = excluded.verdict, key_id = excluded.key_id, at = excluded.at
            """, "record an outcome")
    }

    public func outcomeSummaries(_ query: SpendQuery) async throws -> [OutcomeSummary] {
        let (group, join) = Self.grouping(query.groupBy, table: "l")
        var sql = PostgresQuery(unsafeSQL: """
            SELECT \(group) AS grp,
                   COUNT(DISTINCT CASE WHEN o.verdict = 'accepted' THEN l.request_id END)::BIGINT AS accepted,
                   COUNT(DISTINCT CASE WHEN o.verdict = 'rejected' THEN l.request_id END)::BIGINT AS rejected,
                   COUNT(DISTINCT CASE WHEN o.verdict = 'reworked' THEN l.request_id END)::BIGINT AS reworked,
                   SUM(CASE WHEN o.verdict = 'accepted' THEN l.cost_nanos ELSE 0 END)::BIGINT AS accepted_cost,
                   SUM(CASE WHEN o.verdict = 'reworked' THEN l.cost_nanos ELSE 0 END)::BIGINT AS rework_cost
            FROM ledger l JOIN outcomes o ON o.tenant_id = l.tenant_id AND o.request_id = l.request_id \(join)
            WHERE l.endpoint <> 'gpu_time' AND ($1::TEXT IS NULL OR l.tenant_id = $1) AND ($2::BIGINT IS NULL OR l.started_at >= $2)
              AND ($3::BIGINT IS NULL OR l.started_at < $3)
            GROUP BY 1 ORDER BY \(group) COLLATE "C"
            """)
        sql.binds.append(query.tenantID)
        sql.binds.append(query.from)
        sql.binds.append(query.to)
        return try await rows(sql, "sum outcomes").map { row in
            try OutcomeSummary(
                group: row.value("grp"), accepted: row.value("accepted"), rejected: row.value("rejected"), reworked: row.value("reworked"),
                acceptedCost: row.money("accepted_cost"), reworkCost: row.money("rework_cost")
            )
        }
    }
}

extension PostgresStore {
    public func ledgerRows(after position: Int64, finishedBefore: Int64, limit: Int) async throws -> [PositionedEntry] {
        let rows = try await rows("SELECT * FROM ledger WHERE id > \(position) ORDER BY id LIMIT \(Int64(limit))", "read the ledger for export")
        var page: [PositionedEntry] = []
        for row in rows {
            let entry = try Self.ledgerEntry(row)
            // A row finished too recently may have neighbours not committed yet: wait for them.
            guard entry.finishedAt <= finishedBefore else { break }
            page.append(PositionedEntry(position: try row.value("id"), entry: entry))
        }
        return page
    }

    public func exportCursor(sink: String) async throws -> Int64 {
        try await rows("SELECT position FROM export_cursors WHERE sink = \(sink)", "read an export cursor").first.map { try $0.value("position") } ?? 0
    }

    public func setExportCursor(sink: String, position: Int64) async throws {
        try await execute("""
            INSERT INTO export_cursors (sink, position) VALUES (\(sink), \(position)) ON CONFLICT (sink) DO UPDATE SET position = excluded.position
            """, "save an export cursor")
    }
}
