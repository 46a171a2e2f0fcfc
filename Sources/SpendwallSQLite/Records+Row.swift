import GRDB
import SpendwallCore
import SpendwallStorage

// Decoding stored rows back into records. A stored value that does not parse (a NULL or wrong
// type, an unknown enum case, broken JSON) throws, surfacing as `StoreError.Code.io`, rather than
// crashing or being guessed at.

extension TenantRecord {
    init(row: Row) throws {
        try self.init(id: row.column("id"), name: row.column("name"), createdAt: row.column("created_at"))
    }
}

extension TeamRecord {
    init(row: Row) throws {
        try self.init(
            id: row.column("id"), tenantID: row.column("tenant_id"), name: row.column("name"),
            createdAt: row.column("created_at")
        )
    }
}

extension UserRecord {
    init(row: Row) throws {
        try self.init(
            id: row.column("id"), tenantID: row.column("tenant_id"), teamID: row.column("team_id"),
            name: row.column("name"), createdAt: row.column("created_at")
        )
    }
}

extension KeyRecord {
    init(row: Row) throws {
        try self.init(
            id: row.column("id"), name: row.column("name"), secretHash: row.column("secret_hash"),
            hint: row.column("hint"), tenantID: row.column("tenant_id"), teamID: row.column("team_id"),
            userID: row.column("user_id"), tags: row.strings("tags"), allowedTags: row.strings("allowed_tags"),
            allowedModels: row.strings("allowed_models"),
            defaultMaxOutputTokens: row.column("default_max_output_tokens"),
            status: row.enumeration("status"), createdAt: row.column("created_at"),
            revokedAt: row.column("revoked_at")
        )
    }
}

extension BudgetRecord {
    init(row: Row) throws {
        try self.init(
            id: row.column("id"), tenantID: row.column("tenant_id"),
            scope: Scope(kind: row.enumeration("scope_kind"), id: row.column("scope_id")),
            period: row.enumeration("period"), limit: row.money("limit_nanos"),
            timeZone: row.column("time_zone"), createdAt: row.column("created_at"),
            downgradeAtPercent: row.column("downgrade_at_percent"), shadow: row.column("shadow"),
            alertThresholds: (row["alert_thresholds"] as String?).map { try JSONText.decodeIntegers($0) }
        )
    }
}

extension HoldRecord {
    init(row: Row) throws {
        try self.init(
            hold: Hold(id: row.column("hold_id"), amount: row.money("amount_nanos"), shares: row.shares("shares")),
            requestID: row.column("request_id"), keyID: row.column("key_id"), tenantID: row.column("tenant_id"),
            provider: row.enumeration("provider"), model: row.column("model"), tags: row.strings("tags"),
            createdAt: row.column("created_at"), expiresAt: row.column("expires_at")
        )
    }
}

extension LedgerEntry {
    init(row: Row) throws {
        try self.init(
            requestID: row.column("request_id"), holdID: row.column("hold_id"), keyID: row.column("key_id"),
            tenantID: row.column("tenant_id"), teamID: row.column("team_id"), userID: row.column("user_id"),
            tags: row.strings("tags"), provider: row.enumeration("provider"), model: row.column("model"),
            endpoint: row.column("endpoint"),
            usage: TokenUsage(
                input: row.column("input_tokens"), cachedInput: row.column("cached_input_tokens"),
                cacheWrite: row.column("cache_write_tokens"), extendedCacheWrite: row.column("extended_cache_write_tokens"),
                output: row.column("output_tokens"),
                reasoning: row.column("reasoning_tokens"),
                audioInput: row.column("audio_input_tokens"), audioOutput: row.column("audio_output_tokens")
            ),
            rates: TokenRates(
                input: row.column("rate_input"), output: row.column("rate_output"),
                cachedInput: row.column("rate_cached_input"), cacheWrite: row.column("rate_cache_write"),
                extendedCacheWrite: row.column("rate_extended_cache_write"),
                reasoning: row.column("rate_reasoning"),
                audioInput: row.column("rate_audio_input"), audioOutput: row.column("rate_audio_output")
            ),
            catalogVersion: row.column("catalog_version"), cost: row.money("cost_nanos"),
            listCost: row.money("list_cost_nanos"), hold: row.money("hold_nanos"),
            status: row.enumeration("status"), upstreamStatus: row.column("upstream_status"),
            upstreamID: row.column("upstream_id"), latencyMillis: row.column("latency_ms"),
            startedAt: row.column("started_at"), finishedAt: row.column("finished_at"),
            shares: row.shares("shares"), decision: row.column("decision")
        )
    }
}

extension Row {
    /// The value of a column, throwing on NULL (unless `Value` is optional) or a wrong type.
    func column<Value: DatabaseValueConvertible>(_ name: String) throws -> Value {
        try decode(Value.self, forColumn: name)
    }

    func money(_ name: String) throws -> Money {
        Money(nanodollars: try column(name))
    }

    func strings(_ name: String) throws -> [String] {
        try JSONText.decodeStrings(column(name))
    }

    func shares(_ name: String) throws -> [HoldShare] {
        try JSONText.decodeShares(column(name))
    }

    func enumeration<Value: RawRepresentable<String>>(_ name: String) throws -> Value {
        let raw: String = try column(name)
        guard let value = Value(rawValue: raw) else {
            throw StoreError(.io, "the database holds an unknown \(Value.self) '\(raw)' in column \(name)")
        }
        return value
    }
}
