import PostgresNIO
import SpendwallCore
import SpendwallStorage

extension PostgresStore {
    /// Adds a tenant admin token; `.duplicate` if its id or secret hash exists.
    public func insertAdminToken(_ token: AdminTokenRecord) async throws {
        try await execute("""
            INSERT INTO admin_tokens (id, name, tenant_id, secret_hash, hint, created_at, revoked_at)
            VALUES (\(token.id), \(token.name), \(token.tenantID), \(token.secretHash), \(token.hint), \(token.createdAt), \(token.revokedAt))
            """, "insert admin token '\(token.id)'", duplicate: "an admin token with id '\(token.id)' or the same secret already exists")
    }

    /// Replaces the token with id `token.id`; `.notFound` if there is none.
    public func updateAdminToken(_ token: AdminTokenRecord) async throws {
        let changed = try await execute("""
            UPDATE admin_tokens SET name = \(token.name), tenant_id = \(token.tenantID), secret_hash = \(token.secretHash),
                hint = \(token.hint), created_at = \(token.createdAt), revoked_at = \(token.revokedAt)
            WHERE id = \(token.id) RETURNING 1
            """, "update admin token '\(token.id)'", duplicate: "another admin token has the same secret")
        if changed == 0 { throw StoreError(.notFound, "no admin token with id '\(token.id)'") }
    }

    /// Tenant admin tokens of one tenant (or all), oldest first.
    public func adminTokens(tenantID: String?) async throws -> [AdminTokenRecord] {
        try await rows(
            "SELECT * FROM admin_tokens WHERE \(tenantID)::TEXT IS NULL OR tenant_id = \(tenantID) ORDER BY created_at, id",
            "list admin tokens"
        ).map { row in
            try AdminTokenRecord(
                id: row.value("id"), name: row.value("name"), tenantID: row.value("tenant_id"), secretHash: row.value("secret_hash"),
                hint: row.value("hint"), createdAt: row.value("created_at"), revokedAt: row.value("revoked_at")
            )
        }
    }
}
