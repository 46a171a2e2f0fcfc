import Foundation
import GRDB
import SpendwallCore
import SpendwallStorage

extension SQLiteStore {
    /// Inserts or replaces the policy of a scope.
    public func upsertPolicy(_ record: PolicyRecord) async throws {
        let text = try Self.policyText(record.policy)
        try await write("save the policy of \(record.scope)") { db in
            try db.execute(sql: """
                INSERT INTO policies (tenant_id, scope_kind, scope_id, policy, updated_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT(tenant_id, scope_kind, scope_id) DO UPDATE SET policy = excluded.policy, updated_at = excluded.updated_at
                """, arguments: [record.tenantID, record.scope.kind.rawValue, record.scope.id, text, record.updatedAt])
        }
    }

    /// Removes the policy of a scope; `.notFound` if it has none.
    public func deletePolicy(tenantID: String, scope: Scope) async throws {
        try await write("delete the policy of \(scope)") { db in
            try db.execute(
                sql: "DELETE FROM policies WHERE tenant_id = ? AND scope_kind = ? AND scope_id = ?",
                arguments: [tenantID, scope.kind.rawValue, scope.id]
            )
            if db.changesCount == 0 { throw StoreError(.notFound, "\(scope) has no policy") }
        }
    }

    /// Policies of one tenant (or all), by scope kind then id.
    public func policies(tenantID: String?) async throws -> [PolicyRecord] {
        try await read("list policies") { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM policies \(Self.tenantFilter) ORDER BY tenant_id, scope_kind, scope_id", arguments: [tenantID]
            ).map(PolicyRecord.init(row:))
        }
    }

    static func policyText(_ policy: Policy) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(policy), as: UTF8.self)
    }
}

extension PolicyRecord {
    init(row: Row) throws {
        let text: String = try row.column("policy")
        let policy: Policy
        do {
            policy = try JSONDecoder().decode(Policy.self, from: Data(text.utf8))
        } catch {
            throw StoreError(.io, "a stored policy does not decode: \(error)")
        }
        try self.init(
            tenantID: row.column("tenant_id"), scope: Scope(kind: row.enumeration("scope_kind"), id: row.column("scope_id")),
            policy: policy, updatedAt: row.column("updated_at")
        )
    }
}
