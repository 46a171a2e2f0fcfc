import SpendwallCore

/// The policy attached to one scope (a tenant, team, user or key).
public struct PolicyRecord: Sendable, Hashable, Codable {
    public var tenantID: String
    public var scope: Scope
    public var policy: Policy
    public var updatedAt: Int64

    public init(tenantID: String, scope: Scope, policy: Policy, updatedAt: Int64) {
        self.tenantID = tenantID
        self.scope = scope
        self.policy = policy
        self.updatedAt = updatedAt
    }
}
