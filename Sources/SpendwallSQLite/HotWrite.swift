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
        try statement.execute(arguments: [
            record.hold.id, record.requestID, record.keyID, record.tenantID, record.provider.rawValue, record.model,
            record.hold.amount.nanodollars, JSONText.encode(record.hold.shares), JSONText.encode(record.tags),
            record.createdAt, record.expiresAt,
        ])
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
        try insert.execute(arguments: [
            entry.requestID, entry.holdID, entry.keyID, entry.tenantID, entry.teamID, entry.userID,
            JSONText.encode(entry.tags), entry.provider.rawValue, entry.model, entry.endpoint,
            usage.input, usage.cachedInput, usage.cacheWrite, usage.extendedCacheWrite, usage.output, usage.reasoning,
            rates.input, rates.output, rates.cachedInput, rates.cacheWrite, rates.extendedCacheWrite, rates.reasoning,
            entry.catalogVersion, entry.cost.nanodollars, entry.listCost.nanodollars, entry.hold.nanodollars,
            entry.status.rawValue, entry.upstreamStatus, entry.upstreamID, entry.latencyMillis,
            entry.startedAt, entry.finishedAt, JSONText.encode(entry.shares),
            usage.audioInput, usage.audioOutput, rates.audioInput, rates.audioOutput, entry.decision,
        ])
        guard db.changesCount > 0 else { return false }

        try db.cachedStatement(sql: "DELETE FROM holds WHERE hold_id = ?").execute(arguments: [entry.holdID])
        let addUsage = try db.cachedStatement(sql: """
            INSERT INTO budget_usage (budget_id, window_start, spent_nanos) VALUES (?, ?, ?)
            ON CONFLICT(budget_id, window_start) DO UPDATE SET spent_nanos = spent_nanos + excluded.spent_nanos
            """)
        for share in entry.shares {
            try addUsage.execute(arguments: [share.budget, share.windowStart, entry.cost.nanodollars])
        }
        return true
    }
}
