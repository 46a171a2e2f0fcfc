import SpendwallCore
import SpendwallStorage

// Policies on scopes: set, remove, list, and explain what applies to a key.
extension ControlPlane {
    /// Sets (replaces) the policy of a tenant, team, user or key; it applies from the next request.
    public func setPolicy(_ scope: Scope, _ policy: Policy) async throws -> PolicyRecord {
        do { try policy.validate() } catch { throw ConfigurationError(.invalidValue, error.message) }
        let tenantID = try await tenant(of: scope, purpose: "a policy attaches to")
        let record = PolicyRecord(tenantID: tenantID, scope: scope, policy: policy, updatedAt: clock.nowMillis())
        try await store.upsertPolicy(record)
        try await reload()
        return record
    }

    /// Removes the policy of a scope; `.notFound` if it has none.
    public func deletePolicy(_ scope: Scope) async throws {
        let tenantID = try await tenant(of: scope, purpose: "a policy attaches to")
        do {
            try await store.deletePolicy(tenantID: tenantID, scope: scope)
        } catch let error as StoreError where error.code == .notFound {
            throw ConfigurationError(.notFound, "\(scope) has no policy")
        }
        try await reload()
    }

    /// Stores the policies of the configuration file, replacing those of the same scopes. Their
    /// scopes need not exist yet: a policy applies once its tenant, team, user or key does.
    public func applyConfigured(_ policies: [ConfiguredPolicy]) async throws {
        for configured in policies {
            do { try configured.policy.validate() } catch {
                throw ConfigurationError(.invalidValue, "policies (\(configured.scope)): \(error.message)")
            }
            try await store.upsertPolicy(PolicyRecord(
                tenantID: configured.tenant, scope: configured.scope, policy: configured.policy, updatedAt: clock.nowMillis()
            ))
        }
        if !policies.isEmpty { try await reload() }
    }

    /// The policies that apply to a key, scope by scope, and what they add up to.
    public func explainPolicy(keyID: String) async throws -> PolicyExplanation {
        guard let key = directory.keysByID[keyID] else {
            throw ConfigurationError(.notFound, "key '\(keyID)' does not exist")
        }
        let effective = directory.policy(for: key)
        return PolicyExplanation(key: keyID, levels: effective.levels, effective: PolicyExplanation.Combined(effective))
    }
}

/// A policy from the configuration file: `tenant`, the scope (`tenant` unless `team`, `user` or
/// `key` is given with its id) and the rules, side by side.
///
/// ```yaml
/// policies:
///   - tenant: acme
///     team: research
///     allow_models: ["gpt-4o*"]
///     max_output_tokens: 2048
/// ```
public struct ConfiguredPolicy: Sendable, Hashable, Codable {
    public var tenant: String
    public var scope: Scope
    public var policy: Policy

    public init(tenant: String, scope: Scope, policy: Policy) {
        self.tenant = tenant
        self.scope = scope
        self.policy = policy
    }

    enum CodingKeys: String, CodingKey {
        case tenant, team, user, key
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        tenant = try container.decode(String.self, forKey: .tenant)
        let named: [Scope] = [
            try container.decodeIfPresent(String.self, forKey: .team).map(Scope.team),
            try container.decodeIfPresent(String.self, forKey: .user).map(Scope.user),
            try container.decodeIfPresent(String.self, forKey: .key).map(Scope.key),
        ].compactMap { $0 }
        guard named.count <= 1 else {
            throw DecodingError.dataCorruptedError(forKey: .team, in: container, debugDescription: "a policy attaches to one scope: give at most one of team, user, key")
        }
        scope = named.first ?? .tenant(tenant)
        policy = try Policy(from: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(tenant, forKey: .tenant)
        switch scope.kind {
        case .team: try container.encode(scope.id, forKey: .team)
        case .user: try container.encode(scope.id, forKey: .user)
        case .key: try container.encode(scope.id, forKey: .key)
        case .tenant, .tag: break
        }
        try policy.encode(to: encoder)
    }
}

/// What `GET /admin/v1/policies/effective?key=` answers: each scope's policy, and the result.
public struct PolicyExplanation: Sendable, Encodable {
    public var key: String
    public var levels: [EffectivePolicy.Level]
    public var effective: Combined

    /// The combined rules, each with the scope that set it.
    public struct Combined: Sendable, Encodable {
        public struct Patterns: Sendable, Encodable { var scope: Scope; var patterns: [String] }
        public struct Value<V: Sendable & Encodable>: Sendable, Encodable { var value: V; var scope: Scope }

        var allowModels: [Patterns]
        var denyModels: [Patterns]
        var providers: Value<[ProviderKind]>?
        var upstreams: Value<[String]>?
        var maxOutputTokens: Value<Int64>?
        var maxInputTokens: Value<Int64>?
        var maxChoices: Value<Int64>?
        var maxRequestCost: Value<Money>?
        var unpricedModels: Value<UnpricedModels>?
        var tiers: [ModelTier]
        var defaultTier: Value<String>?
        var tierOverrides: [String]

        init(_ policy: EffectivePolicy) {
            allowModels = policy.allowLists.map { Patterns(scope: $0.scope, patterns: $0.patterns) }
            var denied: [Scope: [String]] = [:]
            var order: [Scope] = []
            for entry in policy.denyPatterns {
                if denied[entry.scope] == nil { order.append(entry.scope) }
                denied[entry.scope, default: []].append(entry.pattern)
            }
            denyModels = order.map { Patterns(scope: $0, patterns: denied[$0]!) }
            providers = policy.providers.map { Value(value: $0.value, scope: $0.scope) }
            upstreams = policy.upstreams.map { Value(value: $0.value, scope: $0.scope) }
            maxOutputTokens = policy.maxOutputTokens.map { Value(value: $0.value, scope: $0.scope) }
            maxInputTokens = policy.maxInputTokens.map { Value(value: $0.value, scope: $0.scope) }
            maxChoices = policy.maxChoices.map { Value(value: $0.value, scope: $0.scope) }
            maxRequestCost = policy.maxRequestCost.map { Value(value: $0.value, scope: $0.scope) }
            unpricedModels = policy.unpriced.map { Value(value: $0.value, scope: $0.scope) }
            tiers = policy.tiers
            defaultTier = policy.defaultTier.map { Value(value: $0.value, scope: $0.scope) }
            tierOverrides = policy.tierOverrides.sorted()
        }
    }
}
