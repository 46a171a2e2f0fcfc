import GRDB
import SpendwallCore
import SpendwallStorage

/// One write of the request hot path, applied inside a batch's shared transaction.
enum HotWrite: Sendable {
    case recordHold(HoldRecord)
    case settle(LedgerEntry)

    /// Applies the write; returns false only for a settle whose hold id was already in the ledger.
    func apply(_ db: Database) throws -> Bool {
        switch self {
        case .recordHold(let record):
            try Self.insertHold(record, db)
            return true
        case .settle(let entry):
            return try Self.settle(entry, db)
        }
    }

    /// What to say when the write is refused as a duplicate.
    var duplicateMessage: String {
        switch self {
        case .recordHold(let record): "hold '\(record.hold.id)' already exists"
        case .settle(let entry): "ledger row for hold '\(entry.holdID)' conflicts with an existing row"
        }
    }

    private static func insertHold(_ record: HoldRecord, _ db: Database) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO holds (hold_id, request_id, key_id, tenant_id, provider, model, amount_nanos, shares,
                               tags, created_at, expires_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        var bound = try BoundStatement(statement)
        bound.bind(record.hold.id)
        bound.bind(record.requestID)
        bound.bind(record.keyID)
        bound.bind(record.tenantID)
        bound.bind(record.provider.rawValue)
        bound.bind(record.model)
        bound.bind(record.hold.amount.nanodollars)
        bound.bind(ColumnJSON.encode(record.hold.shares))
        bound.bind(ColumnJSON.encode(record.tags))
        bound.bind(record.createdAt)
        bound.bind(record.expiresAt)
        try bound.run(db)
    }

    private static func settle(_ entry: LedgerEntry, _ db: Database) throws -> Bool {
        let insert = try db.cachedStatement(sql: """
            INSERT INTO ledger (request_id, hold_id, key_id, tenant_id, team_id, user_id, tags, provider, model, endpoint,
                                input_tokens, cached_input_tokens, cache_write_tokens, extended_cache_write_tokens,
                                output_tokens, reasoning_tokens,
                                rate_input, rate_output, rate_cached_input, rate_cache_write, rate_extended_cache_write,
                                rate_reasoning,
                                catalog_version, cost_nanos, list_cost_nanos, hold_nanos, status, upstream_status,
                                upstream_id, latency_ms, started_at, finished_at, shares,
                                audio_input_tokens, audio_output_tokens, rate_audio_input, rate_audio_output, decision)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(hold_id) DO NOTHING
            """)
        let usage = entry.usage
        let rates = entry.rates
        var row = try BoundStatement(insert)
        row.bind(entry.requestID)
        row.bind(entry.holdID)
        row.bind(entry.keyID)
        row.bind(entry.tenantID)
        row.bind(entry.teamID)
        row.bind(entry.userID)
        row.bind(ColumnJSON.encode(entry.tags))
        row.bind(entry.provider.rawValue)
        row.bind(entry.model)
        row.bind(entry.endpoint)
        row.bind(usage.input)
        row.bind(usage.cachedInput)
        row.bind(usage.cacheWrite)
        row.bind(usage.extendedCacheWrite)
        row.bind(usage.output)
        row.bind(usage.reasoning)
        row.bind(rates.input)
        row.bind(rates.output)
        row.bind(rates.cachedInput)
        row.bind(rates.cacheWrite)
        row.bind(rates.extendedCacheWrite)
        row.bind(rates.reasoning)
        row.bind(entry.catalogVersion)
        row.bind(entry.cost.nanodollars)
        row.bind(entry.listCost.nanodollars)
        row.bind(entry.hold.nanodollars)
        row.bind(entry.status.rawValue)
        row.bind(entry.upstreamStatus)
        row.bind(entry.upstreamID)
        row.bind(entry.latencyMillis)
        row.bind(entry.startedAt)
        row.bind(entry.finishedAt)
        row.bind(ColumnJSON.encode(entry.shares))
        row.bind(usage.audioInput)
        row.bind(usage.audioOutput)
        row.bind(rates.audioInput)
        row.bind(rates.audioOutput)
        row.bind(entry.decision)
        try row.run(db)
        guard db.changesCount > 0 else { return false }

        var delete = try BoundStatement(db.cachedStatement(sql: "DELETE FROM holds WHERE hold_id = ?"))
        delete.bind(entry.holdID)
        try delete.run(db)
        let addUsage = try db.cachedStatement(sql: """
            INSERT INTO budget_usage (budget_id, window_start, spent_nanos) VALUES (?, ?, ?)
            ON CONFLICT(budget_id, window_start) DO UPDATE SET spent_nanos = spent_nanos + excluded.spent_nanos
            """)
        for share in entry.shares {
            var add = try BoundStatement(addUsage)
            add.bind(share.budget)
            add.bind(share.windowStart)
            add.bind(entry.cost.nanodollars)
            try add.run(db)
        }
        return true
    }
}
