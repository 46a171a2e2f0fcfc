import GRDB
import SpendwallCore
import SpendwallStorage

extension SQLiteStore {
    /// Records an alert and its deliveries in one transaction; false when the same budget,
    /// window and kind already fired.
    @discardableResult
    public func insertAlert(_ alert: AlertRecord, deliveries: [DeliveryRecord]) async throws -> Bool {
        do {
            return try await pool.write { db in
                try db.execute(sql: """
                    INSERT INTO alerts (id, tenant_id, budget_id, window_start, kind, message, payload, fired_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
                    """, arguments: [alert.id, alert.tenantID, alert.budgetID, alert.windowStart, alert.kind, alert.message, alert.payload, alert.firedAt])
                guard db.changesCount > 0 else { return false }
                for delivery in deliveries { try Self.write(delivery, in: db) }
                return true
            }
        } catch {
            throw StoreError.wrapping(error, action: "record alert '\(alert.id)'")
        }
    }

    /// Alerts of one tenant (or all), newest first.
    public func alerts(tenantID: String?, limit: Int) async throws -> [AlertRecord] {
        try await read("list alerts") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM alerts \(Self.tenantFilter) ORDER BY fired_at DESC, id DESC LIMIT ?2", arguments: [tenantID, max(0, limit)])
                .map(AlertRecord.init(row:))
        }
    }

    /// The kinds already fired for a budget's window.
    public func firedAlertKinds(budgetID: String, windowStart: Int64) async throws -> Set<String> {
        try await read("read fired alerts") { db in
            Set(try String.fetchAll(db, sql: "SELECT kind FROM alerts WHERE budget_id = ? AND window_start = ?", arguments: [budgetID, windowStart]))
        }
    }

    /// Claims the pending deliveries due at `now`, oldest first (see ``SpendStore``).
    public func dueDeliveries(now: Int64, limit: Int) async throws -> [DeliveryRecord] {
        // Most ticks find nothing due: answer those from a reader, without the writer's lock.
        let anyDue = try await read("list due deliveries") { db in
            try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM alert_deliveries WHERE status = 'pending' AND next_attempt_at <= ?)", arguments: [now]) ?? false
        }
        guard anyDue else { return [] }
        return try await write("claim due deliveries") { db in
            var due = try Row.fetchAll(
                db, sql: "SELECT * FROM alert_deliveries WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?",
                arguments: [now, max(0, limit)]
            ).map(DeliveryRecord.init(row:))
            for index in due.indices {
                due[index].nextAttemptAt = now + DeliveryRecord.claimMillis
                try db.execute(sql: "UPDATE alert_deliveries SET next_attempt_at = ? WHERE id = ?", arguments: [due[index].nextAttemptAt, due[index].id])
            }
            return due
        }
    }

    /// Replaces a delivery; `.notFound` if there is none with its id.
    public func updateDelivery(_ delivery: DeliveryRecord) async throws {
        try await write("update delivery '\(delivery.id)'") { db in
            try db.execute(
                sql: "UPDATE alert_deliveries SET status = ?, attempts = ?, last_error = ?, next_attempt_at = ?, delivered_at = ? WHERE id = ?",
                arguments: [delivery.status.rawValue, delivery.attempts, delivery.lastError, delivery.nextAttemptAt, delivery.deliveredAt, delivery.id]
            )
            if db.changesCount == 0 { throw StoreError(.notFound, "no delivery with id '\(delivery.id)'") }
        }
    }

    /// Deliveries of one alert (or all), newest first.
    public func deliveries(alertID: String?, limit: Int) async throws -> [DeliveryRecord] {
        try await read("list deliveries") { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM alert_deliveries WHERE ?1 IS NULL OR alert_id = ?1 ORDER BY rowid DESC LIMIT ?2",
                arguments: [alertID, max(0, limit)]
            ).map(DeliveryRecord.init(row:))
        }
    }

    private static func write(_ delivery: DeliveryRecord, in db: Database) throws {
        try db.execute(sql: """
            INSERT INTO alert_deliveries (id, alert_id, url, body, status, attempts, last_error, next_attempt_at, delivered_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [
                delivery.id, delivery.alertID, delivery.url, delivery.body, delivery.status.rawValue, delivery.attempts, delivery.lastError,
                delivery.nextAttemptAt, delivery.deliveredAt,
            ])
    }
}

extension AlertRecord {
    init(row: Row) throws {
        try self.init(
            id: row.column("id"), tenantID: row.column("tenant_id"), budgetID: row.column("budget_id"),
            windowStart: row.column("window_start"), kind: row.column("kind"), message: row.column("message"),
            payload: row.column("payload"), firedAt: row.column("fired_at")
        )
    }
}

extension DeliveryRecord {
    init(row: Row) throws {
        try self.init(
            id: row.column("id"), alertID: row.column("alert_id"), url: row.column("url"), body: row.column("body"), status: row.enumeration("status"),
            attempts: row.column("attempts"), lastError: row.column("last_error"), nextAttemptAt: row.column("next_attempt_at"),
            deliveredAt: row.column("delivered_at")
        )
    }
}
