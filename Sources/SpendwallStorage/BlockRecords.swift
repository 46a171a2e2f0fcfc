import SpendwallCore

/// A kill switch in force: every request of the scope (a tenant, team, user or key) is refused
/// until the block is lifted.
public struct BlockRecord: Sendable, Hashable, Codable {
    public var tenantID: String
    public var scope: Scope
    /// Why, as given by whoever blocked it; shown to refused callers.
    public var reason: String
    /// Who blocked it, as they named themselves to the admin API.
    public var actor: String
    public var blockedAt: Int64

    public init(tenantID: String, scope: Scope, reason: String, actor: String, blockedAt: Int64) {
        self.tenantID = tenantID
        self.scope = scope
        self.reason = reason
        self.actor = actor
        self.blockedAt = blockedAt
    }
}

/// One line of the append-only audit log: who did what to which scope, when and why.
public struct AuditEntry: Sendable, Hashable, Codable {
    public enum Action: String, Sendable, Hashable, Codable, CaseIterable {
        case block
        case unblock
    }

    /// Position in the log, assigned by the store (0 before it is appended).
    public var sequence: Int64
    public var at: Int64
    public var actor: String
    public var action: Action
    public var tenantID: String
    public var scope: Scope
    public var reason: String

    public init(sequence: Int64 = 0, at: Int64, actor: String, action: Action, tenantID: String, scope: Scope, reason: String) {
        self.sequence = sequence
        self.at = at
        self.actor = actor
        self.action = action
        self.tenantID = tenantID
        self.scope = scope
        self.reason = reason
    }
}
