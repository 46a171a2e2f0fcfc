/// What a request asks for, as far as policy is concerned.
public struct PolicyQuery: Sendable, Hashable {
    /// The model named in the request: a concrete model or a tier name (`economy`).
    public var model: String
    /// The provider whose API the request speaks.
    public var provider: ProviderKind
    /// The tier asked for with `x-spendwall-tier`.
    public var requestedTier: String?

    public init(model: String, provider: ProviderKind, requestedTier: String? = nil) {
        self.model = model
        self.provider = provider
        self.requestedTier = requestedTier
    }
}

/// The model a request is served with, and the rules that chose it (for the decision record).
public struct PolicyRoute: Sendable, Hashable {
    public var model: String
    /// The tier the model was taken from, when a tier decided it.
    public var tier: String?
    /// What changed the request, e.g. `default-tier:economy@team:research`.
    public var rules: [String]

    public init(model: String, tier: String? = nil, rules: [String] = []) {
        self.model = model
        self.tier = tier
        self.rules = rules
    }
}

extension EffectivePolicy {
    /// Chooses the model that serves a request.
    ///
    /// - The tier ceiling is the one `x-spendwall-tier` names — allowed when it is no dearer than
    ///   the default tier or is listed in `tier_overrides` — else the default tier.
    /// - A tier name as model is served by that tier's preferred member; a concrete model of a
    ///   tier dearer than the ceiling, or a tier name dearer than it, by the ceiling tier's
    ///   preferred member (economy by default). Other models are served as asked.
    /// - The preferred member is the first one this endpoint can serve and the policies allow.
    ///
    /// - Parameter canServe: whether this endpoint's provider serves (and the catalog prices) a model.
    public func route(_ query: PolicyQuery, canServe: (String) -> Bool) throws(PolicyError) -> PolicyRoute {
        var rules: [String] = []
        var ceiling: String?
        if let requested = query.requestedTier {
            guard let requestedRank = rank(ofTier: requested) else {
                let known = tiers.isEmpty ? "no tiers are defined for this key" : "tiers: " + tiers.map(\.name).joined(separator: ", ")
                throw PolicyError(.tierNotAllowed, "x-spendwall-tier names the tier '\(requested)', which does not exist (\(known)).")
            }
            let defaultRank = defaultTier.flatMap { rank(ofTier: $0.value) }
            if let defaultRank, requestedRank > defaultRank, !tierOverrides.contains(requested) {
                throw PolicyError(.tierNotAllowed, "The tier '\(requested)' is above the default tier '\(defaultTier!.value)' (\(defaultTier!.scope)) and no policy allows it with x-spendwall-tier.")
            }
            if defaultRank == nil, !tierOverrides.contains(requested) {
                throw PolicyError(.tierNotAllowed, "No policy allows the tier '\(requested)' with x-spendwall-tier.")
            }
            ceiling = requested
            rules.append("tier-header:\(requested)")
        } else if let defaultTier {
            ceiling = defaultTier.value
        }
        let ceilingRank = ceiling.flatMap { rank(ofTier: $0) }

        var target: String?
        if let aliasRank = rank(ofTier: query.model) {
            if let ceilingRank, aliasRank > ceilingRank {
                target = ceiling
                rules.append("default-tier:\(ceiling!)@\(defaultTier?.scope.description ?? "header")")
            } else {
                target = query.model
                rules.append("tier-alias:\(query.model)")
            }
        } else if let ceiling, let ceilingRank, let tier = tier(of: query.model), let modelRank = rank(ofTier: tier.name), modelRank > ceilingRank {
            target = ceiling
            rules.append("default-tier:\(ceiling)@\(query.requestedTier == nil ? defaultTier!.scope.description : "header")")
        }

        let model: String
        if let target {
            model = try preferredMember(of: target, canServe: canServe)
            if model != query.model { rules.append("routed:\(query.model)->\(model)") }
        } else {
            model = query.model
        }
        if let refusal = refusal(model: model) { throw refusal }
        if let refusal = refusal(provider: query.provider) { throw refusal }
        return PolicyRoute(model: model, tier: target ?? tier(of: model)?.name, rules: rules)
    }

    /// The route to the cheapest tier instead of `route`, for budget pressure; nil when the
    /// model is in no tier, already in the cheapest, or the cheapest has no usable member.
    public func downgrade(_ route: PolicyRoute, canServe: (String) -> Bool) -> PolicyRoute? {
        guard let cheapest = tiers.first, let current = tier(of: route.model), current.name != cheapest.name,
              let model = try? preferredMember(of: cheapest.name, canServe: canServe) else { return nil }
        return PolicyRoute(model: model, tier: cheapest.name, rules: route.rules + ["routed:\(route.model)->\(model)"])
    }

    private func preferredMember(of tierName: String, canServe: (String) -> Bool) throws(PolicyError) -> String {
        let members = tiers.first { $0.name == tierName }?.models ?? []
        guard let model = members.first(where: { canServe($0) && refusal(model: $0) == nil }) else {
            throw PolicyError(.modelNotAllowed, "No model of the tier '\(tierName)' (\(members.joined(separator: ", "))) can serve this endpoint under the policies in force.")
        }
        return model
    }

    // MARK: Caps

    /// The output cap to write into a request that has none: the smaller of `defaultCap` and the
    /// policy's output cap.
    public func defaultOutputCap(_ defaultCap: Int64) -> Int64 {
        min(defaultCap, maxOutputTokens?.value ?? defaultCap)
    }

    /// Checks a request's own caps against the policy's.
    ///
    /// - Parameter estimatedInputTokens: the input estimate the context budget is checked against.
    public func check(outputCap: Int64?, choices: Int64, estimatedInputTokens: Int64) throws(PolicyError) {
        if let limit = maxOutputTokens, let outputCap, outputCap > limit.value {
            throw PolicyError(.outputCapExceeded, "The output cap \(outputCap) is above the \(limit.value) tokens the policy of \(limit.scope) allows.")
        }
        if let limit = maxChoices, choices > limit.value {
            throw PolicyError(.choicesExceeded, "\(choices) completions per request are more than the \(limit.value) the policy of \(limit.scope) allows.")
        }
        if let limit = maxInputTokens, estimatedInputTokens > limit.value {
            throw PolicyError(.contextBudgetExceeded, "The input, about \(estimatedInputTokens) tokens, is over the context budget of \(limit.value) tokens set by the policy of \(limit.scope).")
        }
    }

    /// Checks a request's worst-case cost against the policy's per-request cap.
    public func check(hold: Money) throws(PolicyError) {
        if let limit = maxRequestCost, hold > limit.value {
            throw PolicyError(.requestCostExceeded, "This request could cost up to \(hold), above the \(limit.value) per request the policy of \(limit.scope) allows; lower its output cap.")
        }
    }
}
