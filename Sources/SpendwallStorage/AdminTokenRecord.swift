/// A tenant admin token: it opens the admin API for one tenant only. Every query it makes is
/// bounded by that tenant, and an id from another tenant answers as if it did not exist. The
/// secret itself is never stored: only its SHA-256.
public struct AdminTokenRecord: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    public var tenantID: String
    /// Lowercase hex SHA-256 of the full secret.
    public var secretHash: String
    /// A safe hint to recognise the token, e.g. `swa-…3f9c`.
    public var hint: String
    public var createdAt: Int64
    /// When it was revoked; nil while it is in force.
    public var revokedAt: Int64?

    public init(id: String, name: String, tenantID: String, secretHash: String, hint: String, createdAt: Int64, revokedAt: Int64? = nil) {
        self.id = id
        self.name = name
        self.tenantID = tenantID
        self.secretHash = secretHash
        self.hint = hint
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }

    /// Whether the token opens the admin API.
    public var isActive: Bool { revokedAt == nil }
}
