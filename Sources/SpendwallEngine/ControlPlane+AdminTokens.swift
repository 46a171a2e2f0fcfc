import SpendwallCore
import SpendwallStorage

// Tenant admin tokens: each opens the admin API for one tenant only.
extension ControlPlane {
    /// The prefix of every tenant admin token.
    public static let adminTokenPrefix = "swa-"

    /// Creates a tenant admin token; the secret is returned here once and never again.
    public func createAdminToken(tenantID: String, name: String) async throws -> (record: AdminTokenRecord, secret: String) {
        try await requireTenant(tenantID)
        guard !name.isEmpty, name.count <= 200 else {
            throw ConfigurationError(.invalidValue, "an admin token's name must be 1 to 200 characters")
        }
        let secret = Self.adminTokenPrefix + Self.randomHex(bytes: 32)
        let record = AdminTokenRecord(
            id: "adm_" + Self.randomHex(bytes: 8), name: name, tenantID: tenantID, secretHash: VirtualKey.hash(secret),
            hint: Self.adminTokenPrefix + "…" + String(secret.suffix(4)), createdAt: clock.nowMillis()
        )
        try await store.insertAdminToken(record)
        try await reload()
        return (record, secret)
    }

    /// Revokes a tenant admin token at once: the next admin request with it is refused.
    public func revokeAdminToken(id: String) async throws -> AdminTokenRecord {
        guard var record = try await store.adminTokens(tenantID: nil).first(where: { $0.id == id }) else {
            throw ConfigurationError(.notFound, "admin token '\(id)' does not exist")
        }
        if record.revokedAt == nil {
            record.revokedAt = clock.nowMillis()
            try await store.updateAdminToken(record)
            try await reload()
        }
        return record
    }
}
