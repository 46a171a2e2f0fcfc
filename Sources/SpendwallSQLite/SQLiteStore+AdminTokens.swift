import GRDB
import SpendwallCore
import SpendwallStorage

extension SQLiteStore {
    /// Adds a tenant admin token; `.duplicate` if its id or secret hash exists.
    public func insertAdminToken(_ token: AdminTokenRecord) async throws {
        try await write("insert admin token '\(token.id)'", duplicate: "an admin token with id '\(token.id)' or the same secret already exists") { db in
            try db.execute(sql: """
                INSERT INTO admin_tokens (id, name, tenant_id, secret_hash, hint, created_at, revoked_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [token.id, token.name, token.tenantID, token.secretHash, token.hint, token.createdAt, token.revokedAt])
        }
    }

    /// Replaces the token with id `token.id`; `.notFound` if there is none.
    public func updateAdminToken(_ token: AdminTokenRecord) async throws {
        try await write("update admin token '\(token.id)'", duplicate: "another admin token has the same secret") { db in
            try db.execute(sql: """
                UPDATE admin_tokens SET name = ?, tenant_id = ?, secret_hash = ?, hint = ?, created_at = ?, revoked_at = ?
                WHERE id = ?
                """, arguments: [token.name, token.tenantID, token.secretHash, token.hint, token.createdAt, token.revokedAt, token.id])
            if db.changesCount == 0 { throw StoreError(.notFound, "no admin token with id '\(token.id)'") }
        }
    }

    /// Tenant admin tokens of one tenant (or all), oldest first.
    public func adminTokens(tenantID: String?) async throws -> [AdminTokenRecord] {
        try await read("list admin tokens") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM admin_tokens \(Self.tenantFilter) ORDER BY created_at, id", arguments: [tenantID])
                .map { row in
                    AdminTokenRecord(
                        id: row["id"], name: row["name"], tenantID: row["tenant_id"], secretHash: row["secret_hash"],
                        hint: row["hint"], createdAt: row["created_at"], revokedAt: row["revoked_at"]
                    )
                }
        }
    }

    /// The newest ledger row of the tenant with this provider response id.
    public func ledgerEntry(upstreamID: String, tenantID: String) async throws -> LedgerEntry? {
        try await read("find a response in the ledger") { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM ledger WHERE tenant_id = ? AND upstream_id = ? ORDER BY id DESC LIMIT 1",
                arguments: [tenantID, upstreamID]
            ).map(LedgerEntry.init(row:))
        }
    }
}
