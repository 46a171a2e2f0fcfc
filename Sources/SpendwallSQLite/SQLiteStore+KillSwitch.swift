import GRDB
import SpendwallCore
import SpendwallStorage

extension SQLiteStore {
    /// Puts a block in force and appends its audit entry in one transaction; `.duplicate` if the
    /// scope is already blocked.
    public func insertBlock(_ block: BlockRecord, audit: AuditEntry) async throws {
        try await write("block \(block.scope)", duplicate: "\(block.scope) is already blocked") { db in
            try db.execute(
                sql: "INSERT INTO blocks (tenant_id, scope_kind, scope_id, reason, actor, blocked_at) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [block.tenantID, block.scope.kind.rawValue, block.scope.id, block.reason, block.actor, block.blockedAt]
            )
            try Self.append(audit, in: db)
        }
    }

    /// Lifts a block and appends its audit entry in one transaction; `.notFound` if the scope is
    /// not blocked.
    public func deleteBlock(tenantID: String, scope: Scope, audit: AuditEntry) async throws {
        try await write("unblock \(scope)") { db in
            try db.execute(
                sql: "DELETE FROM blocks WHERE tenant_id = ? AND scope_kind = ? AND scope_id = ?",
                arguments: [tenantID, scope.kind.rawValue, scope.id]
            )
            if db.changesCount == 0 { throw StoreError(.notFound, "\(scope) is not blocked") }
            try Self.append(audit, in: db)
        }
    }

    /// Blocks in force of one tenant (or all), oldest first.
    public func blocks(tenantID: String?) async throws -> [BlockRecord] {
        try await read("list blocks") { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM blocks \(Self.tenantFilter) ORDER BY blocked_at, scope_kind, scope_id", arguments: [tenantID]
            ).map(BlockRecord.init(row:))
        }
    }

    /// The audit log of one tenant (or all), newest first.
    public func auditLog(tenantID: String?, limit: Int) async throws -> [AuditEntry] {
        try await read("read the audit log") { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM audit_log \(Self.tenantFilter) ORDER BY sequence DESC LIMIT ?2",
                arguments: [tenantID, max(0, limit)]
            ).map(AuditEntry.init(row:))
        }
    }

    private static func append(_ entry: AuditEntry, in db: Database) throws {
        try db.execute(
            sql: "INSERT INTO audit_log (at, actor, action, tenant_id, scope_kind, scope_id, reason) VALUES (?, ?, ?, ?, ?, ?, ?)",
            arguments: [entry.at, entry.actor, entry.action.rawValue, entry.tenantID, entry.scope.kind.rawValue, entry.scope.id, entry.reason]
        )
    }
}

extension BlockRecord {
    init(row: Row) throws {
        try self.init(
            tenantID: row.column("tenant_id"), scope: Scope(kind: row.enumeration("scope_kind"), id: row.column("scope_id")),
            reason: row.column("reason"), actor: row.column("actor"), blockedAt: row.column("blocked_at")
        )
    }
}

extension AuditEntry {
    init(row: Row) throws {
        try self.init(
            sequence: row.column("sequence"), at: row.column("at"), actor: row.column("actor"), action: row.enumeration("action"),
            tenantID: row.column("tenant_id"), scope: Scope(kind: row.enumeration("scope_kind"), id: row.column("scope_id")),
            reason: row.column("reason")
        )
    }
}
