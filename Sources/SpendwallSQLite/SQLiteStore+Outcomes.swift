import GRDB
import SpendwallCore
import SpendwallStorage

extension SQLiteStore {
    public func insertRefusal(_ refusal: RefusalRecord) async throws {
        try await write("record a refusal", duplicate: "refusal exists") { db in
            try db.execute(sql: """
                INSERT INTO refusals (tenant_id, key_id, team_id, user_id, tags, model, provider, reason, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [
                    refusal.tenantID, refusal.keyID, refusal.teamID, refusal.userID, ColumnJSON.encode(refusal.tags), refusal.model,
                    refusal.provider.rawValue, refusal.reason, refusal.at,
                ])
        }
    }

    public func refusalCounts(_ query: SpendQuery) async throws -> [RefusalCount] {
        let (group, join) = Self.grouping(query.groupBy, table: "r")
        let sql = """
            SELECT \(group) AS grp, r.reason AS reason, COUNT(*) AS n FROM refusals r \(join)
            WHERE (?1 IS NULL OR r.tenant_id = ?1) AND (?2 IS NULL OR r.at >= ?2) AND (?3 IS NULL OR r.at < ?3)
            GROUP BY grp, reason ORDER BY grp, reason
            """
        return try await read("count refusals") { db in
            try Row.fetchAll(db, sql: sql, arguments: [query.tenantID, query.from, query.to]).map { row in
                RefusalCount(group: row["grp"], reason: row["reason"], count: row["n"])
            }
        }
    }

    public func insertTraceLink(tenantID: String, traceID: String, requestID: String) async throws {
        try await write("link a trace", duplicate: "link exists") { db in
            try db.execute(sql: "INSERT OR IGNORE INTO trace_links (tenant_id, trace_id, request_id) VALUES (?, ?, ?)", arguments: [tenantID, traceID, requestID])
        }
    }

    public func requestIDs(traceID: String, tenantID: String) async throws -> [String] {
        try await read("find a trace") { db in
            try String.fetchAll(db, sql: "SELECT request_id FROM trace_links WHERE tenant_id = ? AND trace_id = ? ORDER BY request_id", arguments: [tenantID, traceID])
        }
    }

    public func insertOutcome(_ outcome: OutcomeRecord) async throws {
        try await write("record an outcome", duplicate: "outcome exists") { db in
            try db.execute(sql: """
                INSERT INTO outcomes (tenant_id, request_id, verdict, key_id, at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT(tenant_id, request_id) DO UPDATE SET verdict = excluded.verdict, key_id = excluded.key_id, at = excluded.at
                """, arguments: [outcome.tenantID, outcome.requestID, outcome.verdict.rawValue, outcome.keyID, outcome.at])
        }
    }

    public func outcomeSummaries(_ query: SpendQuery) async throws -> [OutcomeSummary] {
        let (group, join) = Self.grouping(query.groupBy)
        let sql = """
            SELECT \(group) AS grp,
                   COUNT(DISTINCT CASE WHEN o.verdict = 'accepted' THEN l.request_id END) AS accepted,
                   COUNT(DISTINCT CASE WHEN o.verdict = 'rejected' THEN l.request_id END) AS rejected,
                   COUNT(DISTINCT CASE WHEN o.verdict = 'reworked' THEN l.request_id END) AS reworked,
                   SUM(CASE WHEN o.verdict = 'accepted' THEN l.cost_nanos ELSE 0 END) AS accepted_cost,
                   SUM(CASE WHEN o.verdict = 'reworked' THEN l.cost_nanos ELSE 0 END) AS rework_cost
            FROM ledger l JOIN outcomes o ON o.tenant_id = l.tenant_id AND o.request_id = l.request_id \(join)
            WHERE l.endpoint <> 'gpu_time' AND (?1 IS NULL OR l.tenant_id = ?1) AND (?2 IS NULL OR l.started_at >= ?2) AND (?3 IS NULL OR l.started_at < ?3)
            GROUP BY grp ORDER BY grp
            """
        return try await read("sum outcomes") { db in
            try Row.fetchAll(db, sql: sql, arguments: [query.tenantID, query.from, query.to]).map { row in
                OutcomeSummary(
                    group: row["grp"], accepted: row["accepted"], rejected: row["rejected"], reworked: row["reworked"],
                    acceptedCost: Money(nanodollars: row["accepted_cost"]), reworkCost: Money(nanodollars: row["rework_cost"])
                )
            }
        }
    }
}

extension SQLiteStore {
    public func ledgerRows(after position: Int64, finishedBefore: Int64, limit: Int) async throws -> [PositionedEntry] {
        try await read("read the ledger for export") { db in
            // Stop at the first row finished too recently: rows after it wait for the next read.
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM ledger WHERE id > ? ORDER BY id LIMIT ?", arguments: [position, limit])
            var page: [PositionedEntry] = []
            for row in rows {
                let entry = try LedgerEntry(row: row)
                guard entry.finishedAt <= finishedBefore else { break }
                page.append(PositionedEntry(position: row["id"], entry: entry))
            }
            return page
        }
    }

    public func exportCursor(sink: String) async throws -> Int64 {
        try await read("read an export cursor") { db in
            try Int64.fetchOne(db, sql: "SELECT position FROM export_cursors WHERE sink = ?", arguments: [sink]) ?? 0
        }
    }

    public func setExportCursor(sink: String, position: Int64) async throws {
        try await write("save an export cursor", duplicate: "cursor exists") { db in
            try db.execute(sql: """
                INSERT INTO export_cursors (sink, position) VALUES (?, ?) ON CONFLICT(sink) DO UPDATE SET position = excluded.position
                """, arguments: [sink, position])
        }
    }
}
