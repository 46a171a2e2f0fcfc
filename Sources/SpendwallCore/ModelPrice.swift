/// Which API family a model is billed through.
public enum ProviderKind: String, Sendable, Hashable, Codable, CaseIterable {
    case openai
    case anthropic
    case gemini
}

/// What kind of endpoint a model serves.
public enum ModelMode: String, Sendable, Hashable, Codable {
    case chat
    case responses
    case embedding
    case completion
}

/// Per-token rates in integer pico-dollars (1e-12 USD) per token, which equals micro-dollars per
/// million tokens: `gpt-4o` input at $2.50 per million tokens is `2_500_000`.
public struct TokenRates: Sendable, Hashable, Codable {
    /// Uncached input, pico-dollars per token.
    public var input: Int64
    /// Visible output, pico-dollars per token.
    public var output: Int64
    /// Cache reads; `nil` bills them as uncached input.
    public var cachedInput: Int64?
    /// Cache writes; `nil` bills them as uncached input.
    public var cacheWrite: Int64?
    /// Writes to the longer-lived (1-hour) cache; `nil` bills them as ordinary cache writes.
    public var extendedCacheWrite: Int64?
    /// Reasoning tokens; `nil` bills them as output.
    public var reasoning: Int64?
    /// Audio input tokens; `nil` bills them as input.
    public var audioInput: Int64?
    /// Audio output tokens; `nil` bills them as output.
    public var audioOutput: Int64?

    public init(
        input: Int64, output: Int64, cachedInput: Int64? = nil, cacheWrite: Int64? = nil, extendedCacheWrite: Int64? = nil,
        reasoning: Int64? = nil, audioInput: Int64? = nil, audioOutput: Int64? = nil
    ) {
        self.input = input
        self.output = output
        self.cachedInput = cachedInput
        self.cacheWrite = cacheWrite
        self.extendedCacheWrite = extendedCacheWrite
        self.reasoning = reasoning
        self.audioInput = audioInput
        self.audioOutput = audioOutput
    }

    /// The rate actually applied to cache reads.
    public var effectiveCachedInput: Int64 { cachedInput ?? input }
    /// The rate actually applied to cache writes.
    public var effectiveCacheWrite: Int64 { cacheWrite ?? input }
    /// The rate actually applied to writes to the longer-lived cache.
    public var effectiveExtendedCacheWrite: Int64 { extendedCacheWrite ?? effectiveCacheWrite }
    /// The rate actually applied to reasoning tokens.
    public var effectiveReasoning: Int64 { reasoning ?? output }
    /// The rate actually applied to audio input tokens.
    public var effectiveAudioInput: Int64 { audioInput ?? input }
    /// The rate actually applied to audio output tokens.
    public var effectiveAudioOutput: Int64 { audioOutput ?? output }

    /// The highest rate any text input-side token can be billed at (audio input excluded: only a
    /// body with media parts can carry audio).
    public var highestInput: Int64 { max(input, effectiveCachedInput, effectiveCacheWrite, effectiveExtendedCacheWrite) }
    /// The highest rate any output-side token can be billed at, audio included.
    public var highestOutput: Int64 { max(output, effectiveReasoning, effectiveAudioOutput) }
}

/// Higher rates that apply when a request's input exceeds a threshold (e.g. above 200k tokens).
public struct LongContextTier: Sendable, Hashable, Codable {
    /// The tier applies when total input tokens are strictly greater than this.
    public var aboveInputTokens: Int64
    /// The rates inside the tier.
    public var rates: TokenRates

    public init(aboveInputTokens: Int64, rates: TokenRates) {
        self.aboveInputTokens = aboveInputTokens
        self.rates = rates
    }
}

/// Everything Spendwall knows about one model's price.
public struct ModelPrice: Sendable, Hashable, Codable {
    /// The catalog key this price was found under, e.g. `gpt-4o` or `gemini/gemini-2.5-pro`.
    public var name: String
    /// The provider that bills the model.
    public var provider: ProviderKind
    /// The endpoint family.
    public var mode: ModelMode
    /// Base rates.
    public var rates: TokenRates
    /// Long-context tiers, lowest threshold first (kept sorted however they are set).
    public var longContextTiers: [LongContextTier] {
        didSet { longContextTiers.sort { $0.aboveInputTokens < $1.aboveInputTokens } }
    }
    /// Rates of the priority processing tier, when the data has them.
    public var priorityRates: TokenRates?
    /// Rates of the flex processing tier, when the data has them.
    public var flexRates: TokenRates?
    /// The priority tier's own long-context tiers, where the data states them.
    public var priorityLongContextTiers: [LongContextTier] = []
    /// The flex tier's own long-context tiers, where the data states them.
    public var flexLongContextTiers: [LongContextTier] = []
    /// Largest input the model accepts, if known.
    public var maxInputTokens: Int64?
    /// Largest output the model produces, if known.
    public var maxOutputTokens: Int64?

    public init(
        name: String,
        provider: ProviderKind,
        mode: ModelMode,
        rates: TokenRates,
        longContextTiers: [LongContextTier] = [],
        priorityRates: TokenRates? = nil,
        flexRates: TokenRates? = nil,
        priorityLongContextTiers: [LongContextTier] = [],
        flexLongContextTiers: [LongContextTier] = [],
        maxInputTokens: Int64? = nil,
        maxOutputTokens: Int64? = nil
    ) {
        self.name = name
        self.provider = provider
        self.mode = mode
        self.rates = rates
        self.longContextTiers = longContextTiers.sorted { $0.aboveInputTokens < $1.aboveInputTokens }
        self.priorityRates = priorityRates
        self.flexRates = flexRates
        self.priorityLongContextTiers = priorityLongContextTiers
        self.flexLongContextTiers = flexLongContextTiers
        self.maxInputTokens = maxInputTokens
        self.maxOutputTokens = maxOutputTokens
    }

    /// The rates that apply to a request with this many input tokens: those of the highest
    /// tier whose threshold the input exceeds, else the base rates.
    public func rates(forInputTokens inputTokens: Int64) -> TokenRates {
        var applied = rates
        var threshold = Int64.min
        for tier in longContextTiers where inputTokens > tier.aboveInputTokens && tier.aboveInputTokens > threshold {
            applied = tier.rates
            threshold = tier.aboveInputTokens
        }
        return applied
    }
}
