/// The policies of a request's scopes (tenant → team → user → key), combined so that a narrower
/// scope only ever tightens what the wider ones allow:
///
/// - a model must match an allow pattern of *every* scope that has an allow list, and no deny
///   pattern of any scope;
/// - providers: the narrowest scope's order, keeping only providers every wider list allows;
/// - caps (output, input, `n`, request cost): the smallest;
/// - unpriced models: refused if any scope refuses (or none says); otherwise the highest fallback
///   rates any scope sets;
/// - tiers: each tier's member list from the narrowest scope that defines it (the allow and deny
///   lists still apply to every member), ordered as the widest definition, cheapest first;
/// - default tier: the cheapest any scope names; tier overrides: only those every scope with an
///   opinion allows — a scope that lists overrides allows those, one that sets a default tier
///   without listing any allows none (none at all when no scope lists any).
public struct EffectivePolicy: Sendable {
    /// One scope's policy.
    public struct Level: Sendable, Hashable, Codable {
        public var scope: Scope
        public var policy: Policy

        public init(scope: Scope, policy: Policy) {
            self.scope = scope
            self.policy = policy
        }
    }

    /// A limit and the scope that set it.
    public struct Limit<Value: Sendable & Hashable>: Sendable, Hashable {
        public var value: Value
        public var scope: Scope
    }

    /// The policies combined, widest first.
    public let levels: [Level]
    public private(set) var allowLists: [(scope: Scope, patterns: [String])] = []
    public private(set) var denyPatterns: [(scope: Scope, pattern: String)] = []
    public private(set) var providers: Limit<[ProviderKind]>?
    public private(set) var upstreams: Limit<[String]>?
    public private(set) var maxOutputTokens: Limit<Int64>?
    public private(set) var maxInputTokens: Limit<Int64>?
    public private(set) var maxChoices: Limit<Int64>?
    public private(set) var maxRequestCost: Limit<Money>?
    public private(set) var unpriced: Limit<UnpricedModels>?
    public private(set) var tiers: [ModelTier] = []
    public private(set) var defaultTier: Limit<String>?
    public private(set) var tierOverrides: Set<String> = []
    /// The response cache's TTL in seconds and the scope that set it (the narrowest that does);
    /// requests share cached answers within that scope.
    public private(set) var cache: Limit<Int64>?

    /// No policy at all: everything the key and the budgets allow.
    public static let none = EffectivePolicy(levels: [])

    public var isEmpty: Bool { levels.isEmpty }

    /// Combines `levels`, widest first.
    public init(levels: [Level]) {
        self.levels = levels
        var overrideSets: [Set<String>] = []
        var refuses = false
        var fallback: (input: Int64, output: Int64, scope: Scope)?
        for level in levels {
            let policy = level.policy, scope = level.scope
            if let allow = policy.allowModels { allowLists.append((scope, allow)) }
            for pattern in policy.denyModels ?? [] { denyPatterns.append((scope, pattern)) }
            if let order = policy.providers {
                let allowed = providers.map { Set($0.value) }
                providers = Limit(value: order.filter { allowed?.contains($0) ?? true }, scope: scope)
            }
            if let order = policy.upstreams {
                let allowed = upstreams.map { Set($0.value) }
                upstreams = Limit(value: order.filter { allowed?.contains($0) ?? true }, scope: scope)
            }
            maxOutputTokens = Self.smaller(maxOutputTokens, policy.maxOutputTokens, scope)
            maxInputTokens = Self.smaller(maxInputTokens, policy.maxInputTokens, scope)
            maxChoices = Self.smaller(maxChoices, policy.maxChoices, scope)
            maxRequestCost = Self.smaller(maxRequestCost, policy.maxRequestCost, scope)
            switch policy.unpricedModels {
            case .refuse?: refuses = true
            case .price(let input, let output)?:
                fallback = (max(input, fallback?.input ?? 0), max(output, fallback?.output ?? 0), scope)
            case nil: break
            }
            for tier in policy.tiers ?? [] {
                if let index = tiers.firstIndex(where: { $0.name == tier.name }) { tiers[index] = tier } else { tiers.append(tier) }
            }
            // A scope that sets a default tier without overrides allows none.
            if let overrides = policy.tierOverrides ?? (policy.defaultTier == nil ? nil : []) { overrideSets.append(Set(overrides)) }
            if let ttl = policy.cacheTTLSeconds { cache = ttl > 0 ? Limit(value: ttl, scope: scope) : nil }
        }
        if let fallback, !refuses {
            unpriced = Limit(value: .price(inputPerToken: fallback.input, outputPerToken: fallback.output), scope: fallback.scope)
        }
        for level in levels {
            guard let name = level.policy.defaultTier, let rank = rank(ofTier: name) else { continue }
            if let current = defaultTier, let currentRank = self.rank(ofTier: current.value), currentRank <= rank { continue }
            defaultTier = Limit(value: name, scope: level.scope)
        }
        tierOverrides = overrideSets.first.map { first in overrideSets.dropFirst().reduce(first) { $0.intersection($1) } } ?? []
    }

    private static func smaller<Value: Comparable & Sendable & Hashable>(_ current: Limit<Value>?, _ value: Value?, _ scope: Scope) -> Limit<Value>? {
        guard let value else { return current }
        guard let current, current.value <= value else { return Limit(value: value, scope: scope) }
        return current
    }

    /// The position of a tier, cheapest first.
    public func rank(ofTier name: String) -> Int? {
        tiers.firstIndex { $0.name == name }
    }

    /// The tier a concrete model belongs to (the cheapest that lists it).
    public func tier(of model: String) -> ModelTier? {
        tiers.first { $0.models.contains(model) }
    }

    // MARK: Checks

    /// Why `model` may not be used, or nil when every scope allows it.
    public func refusal(model: String) -> PolicyError? {
        if let deny = denyPatterns.first(where: { ModelPattern.matches($0.pattern, model) }) {
            return PolicyError(.modelNotAllowed, "The model '\(model)' is denied by the policy of \(deny.scope) ('\(deny.pattern)').")
        }
        if let list = allowLists.first(where: { !ModelPattern.matchesAny($0.patterns, model) }) {
            return PolicyError(.modelNotAllowed, "The model '\(model)' is not allowed by the policy of \(list.scope). Allowed: \(list.patterns.joined(separator: ", ")).")
        }
        return nil
    }

    /// Why `provider` may not be used, or nil.
    public func refusal(provider: ProviderKind) -> PolicyError? {
        guard let providers, !providers.value.contains(provider) else { return nil }
        let allowed = providers.value.isEmpty ? "none" : providers.value.map(\.rawValue).joined(separator: ", ")
        return PolicyError(.providerNotAllowed, "The provider '\(provider.rawValue)' is not allowed by the policy of \(providers.scope). Allowed: \(allowed).")
    }
}
