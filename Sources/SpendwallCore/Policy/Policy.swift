/// The rules attached to one scope (a tenant, team, user or key). Every field is optional: an
/// unset field leaves the rule to the wider scopes. A narrower scope's rules are combined with
/// the wider ones so that they can only tighten what the wider scopes allow (see
/// ``EffectivePolicy``).
///
/// ```yaml
/// allow_models: ["gpt-4o*", "claude-*"]
/// deny_models: ["*-preview"]
/// providers: [openai, anthropic]
/// max_output_tokens: 2048
/// max_request_cost: "0.25"
/// tiers:
///   - { name: economy, models: [gpt-4o-mini, claude-haiku-4-5] }
///   - { name: premium, models: [gpt-4o, claude-sonnet-4-5] }
/// default_tier: economy
/// tier_overrides: [premium]
/// ```
public struct Policy: Sendable, Hashable, Codable {
    /// Model patterns this scope may use (``ModelPattern``); a model must match one.
    public var allowModels: [String]?
    /// Model patterns this scope may not use.
    public var denyModels: [String]?
    /// Providers (APIs) this scope may use, most preferred first.
    public var providers: [ProviderKind]?
    /// Upstreams (by their configured names, `openai` for the provider's own) this scope may
    /// use, most preferred first: the order routed models try them in.
    public var upstreams: [String]?
    /// Largest output cap (`max_tokens` and its equivalents) a request may ask for; also the cap
    /// written into requests that carry none, when lower than the default.
    public var maxOutputTokens: Int64?
    /// Largest estimated input of one request, in tokens (the context budget).
    public var maxInputTokens: Int64?
    /// Largest number of completions per request (`n`, `candidateCount`).
    public var maxChoices: Int64?
    /// Largest worst-case cost (hold) of one request.
    public var maxRequestCost: Money?
    /// What to do with a model the catalog does not price: refuse (the default), or price it at a
    /// fallback rate.
    public var unpricedModels: UnpricedModels?
    /// Named model classes, cheapest first.
    public var tiers: [ModelTier]?
    /// The tier requests are served from unless they name another one.
    public var defaultTier: String?
    /// Tiers a request may ask for with `x-spendwall-tier` (premium by exception).
    public var tierOverrides: [String]?
    /// Requests per minute over all of this scope's traffic.
    public var requestsPerMinute: RateLimit?
    /// Tokens per minute over all of this scope's traffic: reserved at admission (the request's
    /// token bounds), corrected to the reported usage at settlement.
    public var tokensPerMinute: RateLimit?
    /// Streams of this scope open at once.
    public var concurrentStreams: RateLimit?
    /// Exact response cache: identical non-streaming requests within this scope are answered
    /// from the cache for this many seconds, at no cost. 0 turns it off for a narrower scope.
    public var cacheTTLSeconds: Int64?

    public init(
        allowModels: [String]? = nil, denyModels: [String]? = nil, providers: [ProviderKind]? = nil,
        maxOutputTokens: Int64? = nil, maxInputTokens: Int64? = nil, maxChoices: Int64? = nil, maxRequestCost: Money? = nil,
        unpricedModels: UnpricedModels? = nil, tiers: [ModelTier]? = nil, defaultTier: String? = nil, tierOverrides: [String]? = nil,
        requestsPerMinute: RateLimit? = nil, tokensPerMinute: RateLimit? = nil, concurrentStreams: RateLimit? = nil,
        cacheTTLSeconds: Int64? = nil
    ) {
        self.allowModels = allowModels
        self.denyModels = denyModels
        self.providers = providers
        self.maxOutputTokens = maxOutputTokens
        self.maxInputTokens = maxInputTokens
        self.maxChoices = maxChoices
        self.maxRequestCost = maxRequestCost
        self.unpricedModels = unpricedModels
        self.tiers = tiers
        self.defaultTier = defaultTier
        self.tierOverrides = tierOverrides
        self.requestsPerMinute = requestsPerMinute
        self.tokensPerMinute = tokensPerMinute
        self.concurrentStreams = concurrentStreams
        self.cacheTTLSeconds = cacheTTLSeconds
    }

    enum CodingKeys: String, CodingKey {
        case allowModels = "allow_models"
        case denyModels = "deny_models"
        case providers
        case upstreams
        case maxOutputTokens = "max_output_tokens"
        case maxInputTokens = "max_input_tokens"
        case maxChoices = "max_choices"
        case maxRequestCost = "max_request_cost"
        case unpricedModels = "unpriced_models"
        case tiers
        case defaultTier = "default_tier"
        case tierOverrides = "tier_overrides"
        case requestsPerMinute = "requests_per_minute"
        case tokensPerMinute = "tokens_per_minute"
        case concurrentStreams = "concurrent_streams"
        case cacheTTLSeconds = "cache_ttl_seconds"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        allowModels = try container.decodeIfPresent([String].self, forKey: .allowModels)
        denyModels = try container.decodeIfPresent([String].self, forKey: .denyModels)
        providers = try container.decodeIfPresent([ProviderKind].self, forKey: .providers)
        upstreams = try container.decodeIfPresent([String].self, forKey: .upstreams)
        maxOutputTokens = try container.decodeIfPresent(Int64.self, forKey: .maxOutputTokens)
        maxInputTokens = try container.decodeIfPresent(Int64.self, forKey: .maxInputTokens)
        maxChoices = try container.decodeIfPresent(Int64.self, forKey: .maxChoices)
        if let text = try container.decodeIfPresent(String.self, forKey: .maxRequestCost) {
            guard let cost = Money(dollarString: text), cost > .zero else {
                throw DecodingError.dataCorruptedError(forKey: .maxRequestCost, in: container, debugDescription: "'\(text)' is not a positive dollar amount such as 0.25")
            }
            maxRequestCost = cost
        }
        unpricedModels = try container.decodeIfPresent(UnpricedModels.self, forKey: .unpricedModels)
        tiers = try container.decodeIfPresent([ModelTier].self, forKey: .tiers)
        defaultTier = try container.decodeIfPresent(String.self, forKey: .defaultTier)
        tierOverrides = try container.decodeIfPresent([String].self, forKey: .tierOverrides)
        requestsPerMinute = try container.decodeIfPresent(RateLimit.self, forKey: .requestsPerMinute)
        tokensPerMinute = try container.decodeIfPresent(RateLimit.self, forKey: .tokensPerMinute)
        concurrentStreams = try container.decodeIfPresent(RateLimit.self, forKey: .concurrentStreams)
        cacheTTLSeconds = try container.decodeIfPresent(Int64.self, forKey: .cacheTTLSeconds)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(allowModels, forKey: .allowModels)
        try container.encodeIfPresent(denyModels, forKey: .denyModels)
        try container.encodeIfPresent(providers, forKey: .providers)
        try container.encodeIfPresent(upstreams, forKey: .upstreams)
        try container.encodeIfPresent(maxOutputTokens, forKey: .maxOutputTokens)
        try container.encodeIfPresent(maxInputTokens, forKey: .maxInputTokens)
        try container.encodeIfPresent(maxChoices, forKey: .maxChoices)
        try container.encodeIfPresent(maxRequestCost?.decimalDollars, forKey: .maxRequestCost)
        try container.encodeIfPresent(unpricedModels, forKey: .unpricedModels)
        try container.encodeIfPresent(tiers, forKey: .tiers)
        try container.encodeIfPresent(defaultTier, forKey: .defaultTier)
        try container.encodeIfPresent(tierOverrides, forKey: .tierOverrides)
        try container.encodeIfPresent(requestsPerMinute, forKey: .requestsPerMinute)
        try container.encodeIfPresent(tokensPerMinute, forKey: .tokensPerMinute)
        try container.encodeIfPresent(concurrentStreams, forKey: .concurrentStreams)
        try container.encodeIfPresent(cacheTTLSeconds, forKey: .cacheTTLSeconds)
    }

    /// Checks values that decode but make no sense; the message names the field.
    public func validate() throws(PolicyError) {
        for (name, value) in [
            ("max_output_tokens", maxOutputTokens), ("max_input_tokens", maxInputTokens), ("max_choices", maxChoices),
            ("requests_per_minute", requestsPerMinute?.limit), ("tokens_per_minute", tokensPerMinute?.limit),
            ("concurrent_streams", concurrentStreams?.limit),
        ] {
            if let value, value <= 0 { throw PolicyError(.invalidPolicy, "\(name) must be positive, got \(value)") }
        }
        if let ttl = cacheTTLSeconds, !(0...604_800).contains(ttl) {
            throw PolicyError(.invalidPolicy, "cache_ttl_seconds must be 0 (off) to 604800 (a week), got \(ttl)")
        }
        for pattern in (allowModels ?? []) + (denyModels ?? []) where pattern.isEmpty || pattern.utf8.count > 200 {
            throw PolicyError(.invalidPolicy, "model patterns must be 1–200 characters")
        }
        if case .price(let input, let output) = unpricedModels, input < 0 || output < 0 {
            throw PolicyError(.invalidPolicy, "unpriced_models prices must not be negative")
        }
        var names = Set<String>()
        for tier in tiers ?? [] {
            guard !tier.name.isEmpty, names.insert(tier.name).inserted else {
                throw PolicyError(.invalidPolicy, "tier names must be non-empty and unique ('\(tier.name)')")
            }
            guard !tier.models.isEmpty else { throw PolicyError(.invalidPolicy, "tier '\(tier.name)' lists no models") }
        }
    }
}

/// A named class of models, e.g. `economy`, listed in order of preference.
public struct ModelTier: Sendable, Hashable, Codable {
    public var name: String
    /// Concrete model names, most preferred first.
    public var models: [String]

    public init(name: String, models: [String]) {
        self.name = name
        self.models = models
    }
}

/// What a scope does with models the catalog does not price.
public enum UnpricedModels: Sendable, Hashable, Codable {
    /// Refuse them (`model_not_priced`): their cost cannot be bounded.
    case refuse
    /// Price them at these rates, in pico-dollars per token (= micro-dollars per million tokens).
    case price(inputPerToken: Int64, outputPerToken: Int64)

    enum CodingKeys: String, CodingKey {
        case inputPerMillion = "input_per_million"
        case outputPerMillion = "output_per_million"
    }

    /// `refuse`, or `{input_per_million: "5", output_per_million: "15"}` in dollars.
    public init(from decoder: any Decoder) throws {
        if let word = try? decoder.singleValueContainer().decode(String.self) {
            guard word == "refuse" else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unpriced_models is 'refuse' or {input_per_million, output_per_million}"))
            }
            self = .refuse
            return
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func rate(_ key: CodingKeys) throws -> Int64 {
            do {
                return try PerMillionPrice.picodollarsPerToken(try container.decode(String.self, forKey: key))
            } catch let error as PerMillionPrice.Invalid {
                throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "the price \(error.reason); write dollars per million tokens such as \"2.50\"")
            }
        }
        self = .price(inputPerToken: try rate(.inputPerMillion), outputPerToken: try rate(.outputPerMillion))
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .refuse:
            var container = encoder.singleValueContainer()
            try container.encode("refuse")
        case .price(let input, let output):
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(PerMillionPrice.text(picodollarsPerToken: input), forKey: .inputPerMillion)
            try container.encode(PerMillionPrice.text(picodollarsPerToken: output), forKey: .outputPerMillion)
        }
    }
}
