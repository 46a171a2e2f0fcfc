import SpendwallCore

/// The one set of rules that turns LiteLLM price data into `ModelPrice`s. The bundled resource
/// and an imported upstream file both go through `makeModelPrice(name:entry:)`.
///
/// **Providers:** `openai` and `text-completion-openai` bill as `.openai`, `anthropic` as
/// `.anthropic`, `gemini` (Google AI Studio) as `.gemini`. **Modes:** chat, responses,
/// embedding, completion. Anything else is skipped, as is an entry without both a per-token
/// input and output price (an embedding's output price of 0 counts as a price).
///
/// **Long-context tiers** (`…_above_200k_tokens`, `…_above_272k_tokens`, `…_above_128k_tokens`)
/// state only some rates. A rate the tier does not state is filled in so that the tier never
/// bills a token kind below what the data supports:
/// - input or output: the base rate (LiteLLM's own behaviour: that kind is not tiered);
/// - cache reads and cache writes: the higher of the base rate for that kind and the tier's
///   input rate (with no base rate either, it stays unset and bills as the tier's input). A
///   tier that states no cache-read rate thus never bills cache reads at the cheaper base cache
///   rate, which would under-charge (older LiteLLM data had such tiers, e.g. Gemini 2.5 Pro);
/// - 1-hour cache writes (`cache_creation_input_token_cost_above_1hr`, tiered as
///   `…_above_1hr_above_<N>k_tokens`): the higher of the base 1-hour rate and the tier's
///   cache-write rate as filled in above (the tier's input rate when that is unset). With no
///   base 1-hour rate it stays unset and bills as the tier's cache writes. A tier that states a
///   dearer cache-write rate but no 1-hour rate thus never bills 1-hour writes below it;
/// - reasoning: the higher of the base reasoning rate and the tier's output rate (unset when
///   the base has none, so it bills as the tier's output);
/// - audio input and output: the higher of the base audio rate and the tier's input or output
///   rate (unset when the base has none).
///
/// **Audio** (`input_cost_per_audio_token`, `output_cost_per_audio_token`): OpenAI's audio
/// models and Gemini's audio input. Per-second audio prices are not read.
///
/// **1-hour cache writes** are Anthropic's longer-lived prompt cache, billed above the default
/// 5-minute writes (`cache_creation_input_token_cost`).
///
/// **Processing tiers** (OpenAI's `service_tier`): `input_cost_per_token_priority`,
/// `output_cost_per_token_priority` and `cache_read_input_token_cost_priority` make the
/// priority tier's rates, the `…_flex` fields the flex tier's. A rate the tier does not state is
/// the base rate (LiteLLM's own behaviour); see `TokenRates.tier(input:output:cachedInput:)` for
/// cache writes and reasoning (Gemini states a reasoning rate equal to its output rate). A tier's
/// own long-context rates (`input_cost_per_token_above_200k_tokens_priority`) make its
/// long-context tiers, filled in over the tier's rates by the rules above. Other variants
/// (`…_batches`, OpenAI's `…_above_12hr`) are not read.
///
/// **Sanity:** every price must be finite, non-negative and at most
/// `implausiblePicosPerToken` ($10,000 per million tokens), above which a "per token" price is
/// almost surely quoted per 1K or per 1M tokens.
enum LiteLLMPriceRules {
    /// What the rules make of an entry.
    enum Outcome {
        /// The entry is in scope and priced.
        case priced(ModelPrice)
        /// The entry is left out, for this reason.
        case skipped(SkipReason)
    }

    /// The price-field names, in LiteLLM's spelling, mapped to the entry's fields.
    enum PriceField: String, CaseIterable {
        case input = "input_cost_per_token"
        case output = "output_cost_per_token"
        case cachedInput = "cache_read_input_token_cost"
        case cacheWrite = "cache_creation_input_token_cost"
        /// Writes to Anthropic's 1-hour cache; `cacheWrite` is the default 5-minute cache.
        case extendedCacheWrite = "cache_creation_input_token_cost_above_1hr"
        case reasoning = "output_cost_per_reasoning_token"
        case audioInput = "input_cost_per_audio_token"
        case audioOutput = "output_cost_per_audio_token"
    }

    /// $10,000 per million tokens, in pico-dollars per token.
    static let implausiblePicosPerToken: Int64 = 10_000_000_000

    /// Spendwall's provider for a LiteLLM `litellm_provider` value (or Spendwall's own name).
    static func providerKind(litellmProvider: String) -> ProviderKind? {
        switch litellmProvider {
        case "openai", "text-completion-openai": .openai
        case "anthropic": .anthropic
        case "gemini": .gemini
        default: nil
        }
    }

    /// Spendwall's mode for a LiteLLM `mode` value.
    static func modelMode(litellmMode: String) -> ModelMode? {
        ModelMode(rawValue: litellmMode)
    }

    /// Why an entry with this provider and mode is skipped, or nil when it is in scope.
    static func skipReason(provider: String?, mode: String?) -> SkipReason? {
        guard let provider, providerKind(litellmProvider: provider) != nil else { return .otherProvider }
        guard let mode, modelMode(litellmMode: mode) != nil else { return .unsupportedMode }
        return nil
    }

    /// Converts a LiteLLM price in US dollars per token to integer pico-dollars per token.
    ///
    /// This is the only place Spendwall reads money as floating point: the upstream file stores
    /// prices as JSON floats. The value is rounded half away from zero; `rounded` reports when
    /// that moved it by more than float noise (a price finer than a pico-dollar).
    static func picodollars(usdPerToken value: Double, model: String, field: String) throws -> (picos: Int64, rounded: Bool) {
        guard value.isFinite else {
            throw CatalogError(.invalidPrice, "\(model): \(field) is not a finite number (\(value))", model: model, field: field)
        }
        guard value >= 0 else {
            throw CatalogError(.invalidPrice, "\(model): \(field) is negative (\(value))", model: model, field: field)
        }
        let scaled = value * 1e12
        // Anything at or above 2^63 cannot be an Int64; it is implausible long before that.
        guard scaled < 9.0e18 else {
            throw CatalogError(.implausiblePrice, "\(model): \(field) = \(value) USD per token is far too high", model: model, field: field)
        }
        let whole = scaled.rounded(.toNearestOrAwayFromZero)
        let noise = max(1.0, whole) * 1e-9
        return (Int64(whole), abs(scaled - whole) > noise)
    }

    /// Turns an entry into a price, or tells why it is skipped. Throws for data that is in scope
    /// but wrong (negative or implausible prices, negative limits).
    static func makeModelPrice(name: String, entry: LiteLLMEntry) throws -> Outcome {
        if let reason = skipReason(provider: entry.provider, mode: entry.mode) { return .skipped(reason) }
        guard let provider = providerKind(litellmProvider: entry.provider),
              let mode = modelMode(litellmMode: entry.mode) else { return .skipped(.otherProvider) }
        guard let input = entry.input, let output = entry.output else { return .skipped(.noTokenPrices) }

        func checked(_ value: Int64?, _ field: String) throws -> Int64? {
            guard let value else { return nil }
            guard value >= 0 else {
                throw CatalogError(.invalidPrice, "\(name): \(field) is negative (\(value) pico-dollars per token)", model: name, field: field)
            }
            guard value <= implausiblePicosPerToken else {
                throw CatalogError(
                    .implausiblePrice,
                    "\(name): \(field) is \(value) pico-dollars per token, over $10,000 per million tokens; is it quoted per 1K or per 1M tokens?",
                    model: name, field: field
                )
            }
            return value
        }
        func limit(_ value: Int64?, _ field: String) throws -> Int64? {
            guard let value else { return nil }
            guard value >= 0 else {
                throw CatalogError(.invalidLimit, "\(name): \(field) is negative (\(value))", model: name, field: field)
            }
            return value
        }

        let base = TokenRates(
            input: try checked(input, PriceField.input.rawValue) ?? input,
            output: try checked(output, PriceField.output.rawValue) ?? output,
            cachedInput: try checked(entry.cachedInput, PriceField.cachedInput.rawValue),
            cacheWrite: try checked(entry.cacheWrite, PriceField.cacheWrite.rawValue),
            extendedCacheWrite: try checked(entry.extendedCacheWrite, PriceField.extendedCacheWrite.rawValue),
            reasoning: try checked(entry.reasoning, PriceField.reasoning.rawValue),
            audioInput: try checked(entry.audioInput, PriceField.audioInput.rawValue),
            audioOutput: try checked(entry.audioOutput, PriceField.audioOutput.rawValue)
        )
        /// Long-context tiers over `base`; `fieldSuffix` ends their field names (`_priority`).
        func longContextTiers(_ stated: [LiteLLMEntry.Tier]?, over base: TokenRates, suffix fieldSuffix: String = "") throws -> [LongContextTier] {
            try (stated ?? []).map { tier in
                let suffix = "_above_\(tier.above / 1_000)k_tokens" + fieldSuffix
                guard tier.above > 0 else {
                    throw CatalogError(.invalidLimit, "\(name): a long-context tier starts at \(tier.above) tokens", model: name, field: "tiers")
                }
                let tierInput = try checked(tier.input, PriceField.input.rawValue + suffix) ?? base.input
                let tierOutput = try checked(tier.output, PriceField.output.rawValue + suffix) ?? base.output
                let tierCacheWrite = try checked(tier.cacheWrite, PriceField.cacheWrite.rawValue + suffix)
                    ?? base.cacheWrite.map { max($0, tierInput) }
                let rates = TokenRates(
                    input: tierInput,
                    output: tierOutput,
                    cachedInput: try checked(tier.cachedInput, PriceField.cachedInput.rawValue + suffix)
                        ?? base.cachedInput.map { max($0, tierInput) },
                    cacheWrite: tierCacheWrite,
                    extendedCacheWrite: try checked(tier.extendedCacheWrite, PriceField.extendedCacheWrite.rawValue + suffix)
                        ?? base.extendedCacheWrite.map { max($0, tierCacheWrite ?? tierInput) },
                    reasoning: try checked(tier.reasoning, PriceField.reasoning.rawValue + suffix)
                        ?? base.reasoning.map { max($0, tierOutput) },
                    audioInput: try checked(tier.audioInput, PriceField.audioInput.rawValue + suffix)
                        ?? base.audioInput.map { max($0, tierInput) },
                    audioOutput: try checked(tier.audioOutput, PriceField.audioOutput.rawValue + suffix)
                        ?? base.audioOutput.map { max($0, tierOutput) }
                )
                return LongContextTier(aboveInputTokens: tier.above, rates: rates)
            }
        }
        let tiers = try longContextTiers(entry.tiers, over: base)
        func serviceTier(_ prices: LiteLLMEntry.ServiceTierPrices?, _ suffix: String) throws -> (rates: TokenRates, tiers: [LongContextTier])? {
            guard let prices else { return nil }
            let rates = base.tier(
                input: try checked(prices.input, PriceField.input.rawValue + suffix),
                output: try checked(prices.output, PriceField.output.rawValue + suffix),
                cachedInput: try checked(prices.cachedInput, PriceField.cachedInput.rawValue + suffix),
                audioInput: try checked(prices.audioInput, PriceField.audioInput.rawValue + suffix)
            )
            return (rates, try longContextTiers(prices.tiers, over: rates, suffix: suffix))
        }
        let priority = try serviceTier(entry.priority, "_priority")
        let flex = try serviceTier(entry.flex, "_flex")
        return .priced(ModelPrice(
            name: name,
            provider: provider,
            mode: mode,
            rates: base,
            longContextTiers: tiers,
            priorityRates: priority?.rates,
            flexRates: flex?.rates,
            priorityLongContextTiers: priority?.tiers ?? [],
            flexLongContextTiers: flex?.tiers ?? [],
            maxInputTokens: try limit(entry.maxInput, "max_input_tokens"),
            maxOutputTokens: try limit(entry.maxOutput, "max_output_tokens")
        ))
    }
}
