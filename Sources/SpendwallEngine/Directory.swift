import SpendwallCore
import SpendwallStorage

/// An immutable snapshot of who may call the gateway and which budgets apply: keys by secret
/// hash, budgets by scope. Rebuilt and swapped whole when the control plane changes.
public struct Directory: Sendable {
    public private(set) var keysByHash: [String: KeyRecord] = [:]
    public private(set) var keysByID: [String: KeyRecord] = [:]
    public private(set) var budgetsByID: [String: BudgetRecord] = [:]
    private var budgetsByScope: [ScopeKey: [BudgetRecord]] = [:]
    private var blocksByScope: [ScopeKey: BlockRecord] = [:]
    private var policiesByScope: [ScopeKey: Policy] = [:]
    /// Tenant admin tokens in force, by secret hash.
    private var adminTokensByHash: [String: AdminTokenRecord] = [:]

    struct ScopeKey: Hashable {
        var tenantID: String
        var scope: Scope
    }

    public init(
        keys: [KeyRecord] = [], budgets: [BudgetRecord] = [], blocks: [BlockRecord] = [], policies: [PolicyRecord] = [],
        adminTokens: [AdminTokenRecord] = []
    ) {
        for key in keys {
            keysByID[key.id] = key
            if key.status == .active { keysByHash[key.secretHash] = key }
        }
        for budget in budgets {
            budgetsByID[budget.id] = budget
            budgetsByScope[ScopeKey(tenantID: budget.tenantID, scope: budget.scope), default: []].append(budget)
        }
        for block in blocks {
            blocksByScope[ScopeKey(tenantID: block.tenantID, scope: block.scope)] = block
        }
        for record in policies {
            policiesByScope[ScopeKey(tenantID: record.tenantID, scope: record.scope)] = record.policy
        }
        for token in adminTokens where token.isActive {
            adminTokensByHash[token.secretHash] = token
        }
    }

    /// The tenant admin token in force with this secret hash.
    public func activeAdminToken(secretHash: String) -> AdminTokenRecord? {
        adminTokensByHash[secretHash]
    }

    /// Every block in force.
    public var blocks: [BlockRecord] { Array(blocksByScope.values) }

    /// The policies of a key's tenant, team, user and the key itself, combined.
    public func policy(for key: KeyRecord) -> EffectivePolicy {
        guard !policiesByScope.isEmpty else { return .none }
        var levels: [EffectivePolicy.Level] = []
        for scope in Self.blockableScopes(of: key) {
            if let policy = policiesByScope[ScopeKey(tenantID: key.tenantID, scope: scope)] {
                levels.append(EffectivePolicy.Level(scope: scope, policy: policy))
            }
        }
        return levels.isEmpty ? .none : EffectivePolicy(levels: levels)
    }

    /// The kill switch that stops requests with this key, if any: a block on its tenant, team,
    /// user or the key itself (the widest first).
    public func block(for key: KeyRecord) -> BlockRecord? {
        guard !blocksByScope.isEmpty else { return nil }
        for scope in Self.blockableScopes(of: key) {
            if let block = blocksByScope[ScopeKey(tenantID: key.tenantID, scope: scope)] { return block }
        }
        return nil
    }

    /// The tenant, team, user and key a key's requests belong to, widest first: what a kill
    /// switch can stop and what policies attach to.
    public static func blockableScopes(of key: KeyRecord) -> [Scope] {
        var scopes: [Scope] = [.tenant(key.tenantID)]
        if let team = key.teamID { scopes.append(.team(team)) }
        if let user = key.userID { scopes.append(.user(user)) }
        scopes.append(.key(key.id))
        return scopes
    }

    /// The active key with this secret hash.
    public func activeKey(secretHash: String) -> KeyRecord? {
        keysByHash[secretHash]
    }

    /// Every scope a request with this key and these extra tags is attributed to.
    public static func scopes(of key: KeyRecord, tags: [String]) -> [Scope] {
        var scopes = blockableScopes(of: key)
        for tag in tags { scopes.append(.tag(tag)) }
        return scopes
    }

    /// Every budget that applies to a request with this key and these tags.
    public func budgets(for key: KeyRecord, tags: [String]) -> [BudgetRecord] {
        var result: [BudgetRecord] = []
        for scope in Self.scopes(of: key, tags: tags) {
            if let found = budgetsByScope[ScopeKey(tenantID: key.tenantID, scope: scope)] {
                result.append(contentsOf: found)
            }
        }
        return result
    }
}

extension KeyRecord {
    /// True when a request with this key may add `tag` (exact match or a `prefix:*` pattern).
    public func allows(tag: String) -> Bool {
        allowedTags.contains { pattern in
            if pattern == tag || pattern == "*" { return true }
            if pattern.hasSuffix("*") { return tag.hasPrefix(pattern.dropLast()) }
            return false
        }
    }

    /// True when the key may use `model` (an empty list allows every priced model).
    public func allows(model: String) -> Bool {
        allowedModels.isEmpty || allowedModels.contains(model)
    }

    /// Every tag a request carries: the key's own plus the allowed extra ones.
    public func allTags(adding extra: [String]) -> [String] {
        var tags = self.tags
        for tag in extra where !tags.contains(tag) { tags.append(tag) }
        return tags
    }
}
