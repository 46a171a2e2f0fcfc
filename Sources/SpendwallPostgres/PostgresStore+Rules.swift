import PostgresNIO
import SpendwallCore
import SpendwallStorage

// Policies, the kill switch and its audit log, and alerts with their deliveries.
extension PostgresStore {
    // MARK: Policies

    public func upsertPolicy(_ record: PolicyRecord) async throws {
        try await execute("""
            INSERT INTO policies (tenant_id, scope_kind, scope_id, policy, updated_at)
            VALUES (\(record.tenantID), \(record.scope.kind.rawValue), \(record.scope.id), \(try Self.json(record.policy)), \(record.updatedAt))
            ON CONFLICT (tenant_id, scope_kind, scope_id) DO UPDATE SET policy = excluded.policy, updated_at = excluded.updated_at
            """, "save the policy of \(record.scope)")
    }

    public func deletePolicy(tenantID: String, scope: Scope) async throws {
        let changed = try await execute(
            "DELETE FROM policies WHERE tenant_id = \(tenantID) AND scope_kind = \(scope.kind.rawValue) AND scope_id = \(scope.id) RETURNING 1",
            "delete the policy of \(scope)"
        )
        if changed == 0 { throw StoreError(.notFound, "\(scope) has no policy") }
    }

    public func policies(tenantID: String?) async throws -> [PolicyRecord] {
        try await rows(
            "SELECT * FROM policies WHERE \(tenantID)::TEXT IS NULL OR tenant_id = \(tenantID) ORDER BY tenant_id, scope_kind, scope_id", "list policies"
        ).map { row in
            try PolicyRecord(
                tenantID: row.value("tenant_id"), scope: Scope(kind: row.enumeration("scope_kind"), id: row.value("scope_id")),
                policy: Self.decode(Policy.self, json: row.value("policy")), updatedAt: row.value("updated_at")
            )
        }
    }

    // MARK: Kill switch

    public func insertBlock(_ block: BlockRecord, audit: AuditEntry) async throws {
        try await perform("block \(block.scope)", duplicate: "\(block.scope) is already blocked") { [self] in
            try await client.withTransaction(logger: logger) { connection in
                try await Self.execute("""
                    INSERT INTO blocks (tenant_id, scope_kind, scope_id, reason, actor, blocked_at)
                    VALUES (\(block.tenantID), \(block.scope.kind.rawValue), \(block.scope.id), \(block.reason), \(block.actor), \(block.blockedAt))
                    """, on: connection, logger: logger)
                try await Self.append(audit, on: connection, logger: logger)
            }
        }
    }

    public func deleteBlock(tenantID: String, scope: Scope, audit: AuditEntry) async throws {
        try await perform("unblock \(scope)") { [self] in
            try await client.withTransaction(logger: logger) { connection in
                let changed = try await Self.execute(
                    "DELETE FROM blocks WHERE tenant_id = \(tenantID) AND scope_kind = \(scope.kind.rawValue) AND scope_id = \(scope.id) RETURNING 1",
                    on: connection, logger: logger
                )
                if changed == 0 { throw StoreError(.notFound, "\(scope) is not blocked") }
                try await Self.append(audit, on: connection, logger: logger)
            }
        }
    }

    public func blocks(tenantID: String?) async throws -> [BlockRecord] {
        try await rows(
            "SELECT * FROM blocks WHERE \(tenantID)::TEXT IS NULL OR tenant_id = \(tenantID) ORDER BY blocked_at, scope_kind, scope_id", "list blocks"
        ).map { row in
            try BlockRecord(
                tenantID: row.value("tenant_id"), scope: Scope(kind: row.enumeration("scope_kind"), id: row.value("scope_id")),
                reason: row.value("reason"), actor: row.value("actor"), blockedAt: row.value("blocked_at")
            )
        }
    }

    public func auditLog(tenantID: String?, limit: Int) async throws -> [AuditEntry] {
        try await rows(
            "SELECT * FROM audit_log WHERE \(tenantID)::TEXT IS NULL OR tenant_id = \(tenantID) ORDER BY sequence DESC LIMIT \(Int64(max(0, limit)))",
            "read the audit log"
        ).map { row in
            try AuditEntry(
                sequence: row.value("sequence"), at: row.value("at"), actor: row.value("actor"), action: row.enumeration("action"),
                tenantID: row.value("tenant_id"), scope: Scope(kind: row.enumeration("scope_kind"), id: row.value("scope_id")),
                reason: row.value("reason")
            )
        }
    }

    private static func append(_ entry: AuditEntry, on connection: PostgresConnection, logger: Logger) async throws {
        try await execute("""
            INSERT INTO audit_log (at, actor, action, tenant_id, scope_kind, scope_id, reason)
            VALUES (\(entry.at), \(entry.actor), \(entry.action.rawValue), \(entry.tenantID), \(entry.scope.kind.rawValue), \(entry.scope.id), \(entry.reason))
            """, on: connection, logger: logger)
    }

    // MARK: Alerts

    @discardableResult
    public func insertAlert(_ alert: AlertRecord, deliveries: [DeliveryRecord]) async throws -> Bool {
        try await perform("record alert '\(alert.id)'") { [self] in
            try await client.withTransaction(logger: logger) { connection in
                let inserted = try await Self.execute("""
                    INSERT INTO alerts (id, tenant_id, budget_id, window_start, kind, message, payload, fired_at)
                    VALUES (\(alert.id), \(alert.tenantID), \(alert.budgetID), \(alert.windowStart), \(alert.kind), \(alert.message), \(alert.payload), \(alert.firedAt))
                    ON CONFLICT DO NOTHING RETURNING 1
                    """, on: connection, logger: logger)
                guard inserted > 0 else { return false }
                for delivery in deliveries {
                    try await Self.execute("""
                        INSERT INTO alert_deliveries (id, alert_id, url, body, status, attempts, last_error, next_attempt_at, delivered_at)
                        VALUES (\(delivery.id), \(delivery.alertID), \(delivery.url), \(delivery.body), \(delivery.status.rawValue),
                                \(Int64(delivery.attempts)), \(delivery.lastError), \(delivery.nextAttemptAt), \(delivery.deliveredAt))
                        """, on: connection, logger: logger)
                }
                return true
            }
        }
    }

    public func alerts(tenantID: String?, limit: Int) async throws -> [AlertRecord] {
        try await rows(
            "SELECT * FROM alerts WHERE \(tenantID)::TEXT IS NULL OR tenant_id = \(tenantID) ORDER BY fired_at DESC, id DESC LIMIT \(Int64(max(0, limit)))",
            "list alerts"
        ).map { row in
            try AlertRecord(
                id: row.value("id"), tenantID: row.value("tenant_id"), budgetID: row.value("budget_id"),
                windowStart: row.value("window_start"), kind: row.value("kind"), message: row.value("message"),
                payload: row.value("payload"), firedAt: row.value("fired_at")
            )
        }
    }

    public func firedAlertKinds(budgetID: String, windowStart: Int64) async throws -> Set<String> {
        Set(try await rows("SELECT kind FROM alerts WHERE budget_id = \(budgetID) AND window_start = \(windowStart)", "read fired alerts")
            .map { try $0.value("kind", as: String.self) })
    }

    /// Claims the due deliveries: each is handed to one replica (rows another replica is
    /// claiming are skipped, not waited for).
    public func dueDeliveries(now: Int64, limit: Int) async throws -> [DeliveryRecord] {
        try await rows("""
            WITH due AS (
                SELECT id, next_attempt_at AS was, seq FROM alert_deliveries
                WHERE status = 'pending' AND next_attempt_at <= \(now)
                ORDER BY next_attempt_at, seq LIMIT \(Int64(max(0, limit)))
                FOR UPDATE SKIP LOCKED
            ), claimed AS (
                UPDATE alert_deliveries d SET next_attempt_at = \(now + DeliveryRecord.claimMillis)
                FROM due WHERE d.id = due.id
                RETURNING d.*, due.was
            )
            SELECT * FROM claimed ORDER BY was, seq
            """, "claim due deliveries").map(Self.delivery)
    }

    public func updateDelivery(_ delivery: DeliveryRecord) async throws {
        let changed = try await execute("""
            UPDATE alert_deliveries SET status = \(delivery.status.rawValue), attempts = \(Int64(delivery.attempts)),
                last_error = \(delivery.lastError), next_attempt_at = \(delivery.nextAttemptAt), delivered_at = \(delivery.deliveredAt)
            WHERE id = \(delivery.id) RETURNING 1
            """, "update delivery '\(delivery.id)'")
        if changed == 0 { throw StoreError(.notFound, "no delivery with id '\(delivery.id)'") }
    }

    public func deliveries(alertID: String?, limit: Int) async throws -> [DeliveryRecord] {
        try await rows(
            "SELECT * FROM alert_deliveries WHERE \(alertID)::TEXT IS NULL OR alert_id = \(alertID) ORDER BY seq DESC LIMIT \(Int64(max(0, limit)))",
            "list deliveries"
        ).map(Self.delivery)
    }

    private static func delivery(_ row: PostgresRandomAccessRow) throws -> DeliveryRecord {
        try DeliveryRecord(
            id: row.value("id"), alertID: row.value("alert_id"), url: row.value("url"), body: row.value("body"),
            status: row.enumeration("status"), attempts: Int(row.value("attempts", as: Int64.self)), lastError: row.value("last_error"),
            nextAttemptAt: row.value("next_attempt_at"), deliveredAt: row.value("delivered_at")
        )
    }
}
