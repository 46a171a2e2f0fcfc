import PropertyBased
import SpendwallCore
import Testing

@Suite struct PolicyTests {
    static let tiers = [
        ModelTier(name: "economy", models: ["gpt-4o-mini", "claude-haiku-4-5"]),
        ModelTier(name: "premium", models: ["gpt-4o", "claude-sonnet-4-5"]),
    ]
    static let openAIModels: Set = ["gpt-4o-mini", "gpt-4o", "o4-mini", "gpt-4o-2024-08-06"]
    static func openAI(_ model: String) -> Bool { openAIModels.contains(model) }

    static func effective(_ levels: (Scope, Policy)...) -> EffectivePolicy {
        EffectivePolicy(levels: levels.map { EffectivePolicy.Level(scope: $0.0, policy: $0.1) })
    }

    @Test("model patterns: * and ? match runs and single characters, the whole name only")
    func patterns() {
        #expect(ModelPattern.matches("gpt-4o*", "gpt-4o"))
        #expect(ModelPattern.matches("gpt-4o*", "gpt-4o-mini"))
        #expect(!ModelPattern.matches("gpt-4o*", "chatgpt-4o"))
        #expect(ModelPattern.matches("*-preview", "gpt-4.5-preview"))
        #expect(!ModelPattern.matches("*-preview", "gpt-4.5-preview-2"))
        #expect(ModelPattern.matches("o?-mini", "o4-mini"))
        #expect(!ModelPattern.matches("o?-mini", "o-mini"))
        #expect(ModelPattern.matches("*", ""))
        #expect(ModelPattern.matches("a*b*c", "aXXbYYbZc"))
        #expect(!ModelPattern.matches("gpt-4o", "gpt-4o-mini"))
    }

    @Test("a narrower scope tightens: allow lists intersect, denies add up, caps take the smallest, providers keep the wider order's allowance")
    func inheritanceTightens() throws {
        let policy = Self.effective(
            (.tenant("acme"), Policy(allowModels: ["gpt-*", "claude-*"], providers: [.openai, .anthropic], maxOutputTokens: 1000, maxRequestCost: .microdollars(500))),
            (.team("research"), Policy(allowModels: ["gpt-4o*", "o4-*"], denyModels: ["*-2024-*"], providers: [.gemini, .anthropic], maxOutputTokens: 4000, maxRequestCost: .microdollars(100)))
        )
        #expect(policy.refusal(model: "gpt-4o-mini") == nil)
        // Allowed by the team, but not by the tenant: the team cannot loosen.
        #expect(policy.refusal(model: "o4-mini")?.message.contains("tenant:acme") == true)
        #expect(policy.refusal(model: "claude-haiku-4-5")?.message.contains("team:research") == true)
        #expect(policy.refusal(model: "gpt-4o-2024-08-06")?.code == .modelNotAllowed)
        #expect(policy.maxOutputTokens?.value == 1000 && policy.maxOutputTokens?.scope == .tenant("acme"))
        #expect(policy.maxRequestCost?.value == .microdollars(100))
        #expect(policy.providers?.value == [.anthropic], "gemini is not allowed by the tenant")
        #expect(policy.refusal(provider: .openai)?.code == .providerNotAllowed)
        #expect(policy.refusal(provider: .anthropic) == nil)
    }

    @Test("property: adding a narrower policy never allows a model, provider or cap the wider ones refuse")
    func narrowerNeverLoosens() async {
        let names = ["gpt-4o", "gpt-4o-mini", "o4-mini", "claude-haiku-4-5", "gemini-2.5-pro"]
        let patterns = ["gpt-*", "*-mini", "claude-*", "gemini-2.5-pro", "*", "o?-mini"]
        let patternList = Gen.int(in: 0...(patterns.count - 1)).array(of: 0...3).map { $0.map { patterns[$0] } }
        let providerList = Gen.int(in: 0...2).array(of: 0...3).map { $0.map { ProviderKind.allCases[$0] } }
        let cap = Gen.int64(in: 1...10_000)
        await propertyCheck(count: 300, input: patternList, patternList, providerList, patternList, providerList, cap, cap) { wideAllow, wideDeny, wideProviders, narrowAllow, narrowProviders, wideCap, narrowCap in
            let wide = Policy(allowModels: wideAllow, denyModels: wideDeny, providers: wideProviders, maxOutputTokens: wideCap)
            let narrow = Policy(allowModels: narrowAllow, providers: narrowProviders, maxOutputTokens: narrowCap)
            let alone = Self.effective((.tenant("t"), wide))
            let combined = Self.effective((.tenant("t"), wide), (.team("x"), narrow))
            for name in names where combined.refusal(model: name) == nil {
                #expect(alone.refusal(model: name) == nil, "\(name) allowed only once the team's policy was added")
            }
            for provider in ProviderKind.allCases where combined.refusal(provider: provider) == nil {
                #expect(alone.refusal(provider: provider) == nil)
            }
            #expect(combined.maxOutputTokens!.value <= alone.maxOutputTokens!.value)
        }
    }

    @Test("tiers: an alias is served by its preferred usable member; economy by default routes premium models down; x-spendwall-tier needs an override")
    func tierRouting() throws {
        let tenant = Policy(tiers: Self.tiers, defaultTier: "economy")
        let policy = Self.effective((.tenant("acme"), tenant))
        // The alias: its first member this endpoint (OpenAI) can serve.
        let alias = try policy.route(PolicyQuery(model: "economy", provider: .openai), canServe: Self.openAI)
        #expect(alias.model == "gpt-4o-mini" && alias.tier == "economy")
        // A premium model without the header is served from the default tier.
        let economy = try policy.route(PolicyQuery(model: "gpt-4o", provider: .openai), canServe: Self.openAI)
        #expect(economy.model == "gpt-4o-mini")
        #expect(economy.rules == ["default-tier:economy@tenant:acme", "routed:gpt-4o->gpt-4o-mini"])
        // A model in no tier is served as asked.
        #expect(try policy.route(PolicyQuery(model: "o4-mini", provider: .openai), canServe: Self.openAI).model == "o4-mini")
        // The header asks for premium: refused until a policy allows it.
        let refused = #expect(throws: PolicyError.self) {
            try policy.route(PolicyQuery(model: "gpt-4o", provider: .openai, requestedTier: "premium"), canServe: Self.openAI)
        }
        #expect(refused?.code == .tierNotAllowed)
        // The tenant set the default tier without overrides: a team cannot grant one.
        #expect(Self.effective((.tenant("acme"), tenant), (.team("research"), Policy(tierOverrides: ["premium"]))).tierOverrides.isEmpty)
        let allowed = Self.effective((.tenant("acme"), Policy(tiers: Self.tiers, defaultTier: "economy", tierOverrides: ["premium"])), (.team("research"), Policy(maxChoices: 1)))
        #expect(allowed.tierOverrides == ["premium"])
        let premium = try allowed.route(PolicyQuery(model: "gpt-4o", provider: .openai, requestedTier: "premium"), canServe: Self.openAI)
        #expect(premium.model == "gpt-4o" && premium.rules == ["tier-header:premium"])
        let premiumAlias = try allowed.route(PolicyQuery(model: "premium", provider: .openai, requestedTier: "premium"), canServe: Self.openAI)
        #expect(premiumAlias.model == "gpt-4o")
        let narrowed = Self.effective((.tenant("acme"), Policy(tiers: Self.tiers, defaultTier: "economy", tierOverrides: ["premium"])), (.key("k"), Policy(tierOverrides: [])))
        #expect(narrowed.tierOverrides.isEmpty, "a key can withdraw the override")
        #expect(throws: PolicyError.self) { try policy.route(PolicyQuery(model: "gpt-4o", provider: .openai, requestedTier: "platinum"), canServe: Self.openAI) }
    }

    @Test("a narrower scope cannot raise the default tier, and a denied member is skipped")
    func defaultTierAndDeniedMembers() throws {
        let policy = Self.effective(
            (.tenant("acme"), Policy(tiers: Self.tiers, defaultTier: "economy")),
            (.team("research"), Policy(denyModels: ["gpt-4o-mini"], defaultTier: "premium"))
        )
        #expect(policy.defaultTier?.value == "economy")
        let thrown = #expect(throws: PolicyError.self) { try policy.route(PolicyQuery(model: "economy", provider: .openai), canServe: Self.openAI) }
        #expect(thrown?.code == .modelNotAllowed, "the only OpenAI economy member is denied")
        let anthropic = try policy.route(PolicyQuery(model: "economy", provider: .anthropic), canServe: { $0.hasPrefix("claude") })
        #expect(anthropic.model == "claude-haiku-4-5")
    }

    @Test("budget pressure downgrades a premium model to the cheapest tier's preferred member")
    func downgrade() throws {
        let policy = Self.effective((.tenant("acme"), Policy(tiers: Self.tiers)))
        let route = try policy.route(PolicyQuery(model: "gpt-4o", provider: .openai), canServe: Self.openAI)
        #expect(route.model == "gpt-4o" && route.rules.isEmpty)
        let down = try #require(policy.downgrade(route, canServe: Self.openAI))
        #expect(down.model == "gpt-4o-mini" && down.tier == "economy")
        #expect(policy.downgrade(down, canServe: Self.openAI) == nil)
        #expect(policy.downgrade(PolicyRoute(model: "o4-mini"), canServe: Self.openAI) == nil)
    }

    @Test("caps: output cap, n, context budget and request cost refuse with the scope that set them")
    func caps() throws {
        let policy = Self.effective((.team("research"), Policy(maxOutputTokens: 500, maxInputTokens: 1000, maxChoices: 2, maxRequestCost: .microdollars(10))))
        #expect(policy.defaultOutputCap(4096) == 500)
        #expect(EffectivePolicy.none.defaultOutputCap(4096) == 4096)
        try policy.check(outputCap: 500, choices: 2, estimatedInputTokens: 1000)
        try policy.check(outputCap: nil, choices: 1, estimatedInputTokens: 1)
        for (cap, choices, input, code) in [(501 as Int64?, 1 as Int64, 1 as Int64, PolicyError.Code.outputCapExceeded), (nil, 3, 1, .choicesExceeded), (nil, 1, 1001, .contextBudgetExceeded)] {
            let error = #expect(throws: PolicyError.self) { try policy.check(outputCap: cap, choices: choices, estimatedInputTokens: input) }
            #expect(error?.code == code && error?.message.contains("team:research") == true)
        }
        try policy.check(hold: .microdollars(10))
        #expect(throws: PolicyError.self) { try policy.check(hold: .microdollars(11)) }
    }

    @Test("the response cache: the narrowest scope that sets a TTL decides, and 0 turns it off")
    func cacheScope() {
        let team = Self.effective((.tenant("a"), Policy(cacheTTLSeconds: 300)), (.team("b"), Policy(cacheTTLSeconds: 60)))
        #expect(team.cache?.value == 60 && team.cache?.scope == .team("b"))
        #expect(Self.effective((.tenant("a"), Policy(cacheTTLSeconds: 300)), (.key("k"), Policy(cacheTTLSeconds: 0))).cache == nil)
        #expect(Self.effective((.tenant("a"), Policy(cacheTTLSeconds: 300)), (.key("k"), Policy(maxChoices: 1))).cache?.scope == .tenant("a"))
        #expect(throws: PolicyError.self) { try Policy(cacheTTLSeconds: -1).validate() }
    }

    @Test("unpriced models: refused unless every scope that says anything prices them; the highest fallback rates win")
    func unpriced() {
        let priced = Self.effective(
            (.tenant("a"), Policy(unpricedModels: .price(inputPerToken: 1_000_000, outputPerToken: 2_000_000))),
            (.team("b"), Policy(unpricedModels: .price(inputPerToken: 3_000_000, outputPerToken: 1_000_000)))
        )
        #expect(priced.unpriced?.value == .price(inputPerToken: 3_000_000, outputPerToken: 2_000_000))
        let refused = Self.effective((.tenant("a"), Policy(unpricedModels: .price(inputPerToken: 1, outputPerToken: 1))), (.key("k"), Policy(unpricedModels: .refuse)))
        #expect(refused.unpriced == nil)
        #expect(EffectivePolicy.none.unpriced == nil)
    }
}
