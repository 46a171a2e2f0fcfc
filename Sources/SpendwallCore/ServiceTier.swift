/// A processing tier billed at its own rates: OpenAI's and Gemini's `service_tier`. The standard
/// tier (`default`, `auto`, `scale`, `standard`, or none) has no case: it bills at the base rates.
public enum ServiceTier: String, Sendable, Hashable, Codable, CaseIterable {
    /// Priority processing: dearer (about 1.7× standard for OpenAI, 1.75–2× for Gemini).
    case priority
    /// Flex processing: cheaper, slower.
    case flex

    /// The tier a wire value names: `priority` and `flex` in any case, or Gemini's enum spelling
    /// `SERVICE_TIER_PRIORITY`; nil for the standard tier and values Spendwall does not know.
    public init?(wireValue: String) {
        var value = Substring(wireValue.lowercased())
        if value.hasPrefix("service_tier_") { value = value.dropFirst("service_tier_".count) }
        self.init(rawValue: String(value))
    }
}

extension ModelPrice {
    /// The rates of `tier`, when the data has them.
    public func rates(for tier: ServiceTier) -> TokenRates? {
        switch tier {
        case .priority: priorityRates
        case .flex: flexRates
        }
    }

    /// The long-context tiers the data states for `tier` itself.
    public func longContextTiers(for tier: ServiceTier) -> [LongContextTier] {
        switch tier {
        case .priority: priorityLongContextTiers
        case .flex: flexLongContextTiers
        }
    }

    /// This price as billed at `tier`: the tier's rates become the base rates, and its
    /// long-context tiers are the ones the data states for the tier; at a threshold it states
    /// none for, the standard long-context tier bills every token kind at the higher of its own
    /// rate and the service tier's (so a dear tier is never undercut at long context, and a
    /// cheap tier never applies above a long-context threshold). The standard tier (nil), or a
    /// tier the data does not price, leaves the price as it is.
    public func served(at tier: ServiceTier?) -> ModelPrice {
        guard let tier, let tierRates = rates(for: tier) else { return self }
        let own = longContextTiers(for: tier)
        var served = self
        served.rates = tierRates
        served.longContextTiers = own + longContextTiers
            .filter { standard in !own.contains { $0.aboveInputTokens == standard.aboveInputTokens } }
            .map { LongContextTier(aboveInputTokens: $0.aboveInputTokens, rates: $0.rates.higher(of: tierRates)) }
        served.priorityRates = nil
        served.flexRates = nil
        served.priorityLongContextTiers = []
        served.flexLongContextTiers = []
        return served
    }
}

extension TokenRates {
    /// The rates of a processing tier that states some rates of its own: a rate it does not state
    /// is this (base) rate; cache writes stay the base rates; reasoning bills as the tier's
    /// output, or at the base reasoning rate when that is dearer and differs from the base output
    /// rate (a reasoning rate equal to the output rate only says "billed as output"); audio input
    /// bills at the tier's stated audio rate, else at the higher of the base audio rate and the
    /// tier's input rate; audio output at the base rate.
    public func tier(input: Int64?, output: Int64?, cachedInput: Int64?, audioInput: Int64? = nil) -> TokenRates {
        var rates = self
        rates.input = input ?? self.input
        rates.output = output ?? self.output
        rates.cachedInput = cachedInput ?? self.cachedInput
        rates.reasoning = reasoning.flatMap { $0 == self.output ? nil : max($0, rates.output) }
        rates.audioInput = audioInput ?? self.audioInput.map { max($0, rates.input) }
        return rates
    }

    /// Each rate the higher of `self`'s and `other`'s (effective rates, so an unset rate counts
    /// as what it bills at).
    func higher(of other: TokenRates) -> TokenRates {
        TokenRates(
            input: max(input, other.input),
            output: max(output, other.output),
            cachedInput: max(effectiveCachedInput, other.effectiveCachedInput),
            cacheWrite: max(effectiveCacheWrite, other.effectiveCacheWrite),
            extendedCacheWrite: max(effectiveExtendedCacheWrite, other.effectiveExtendedCacheWrite),
            reasoning: max(effectiveReasoning, other.effectiveReasoning),
            audioInput: max(effectiveAudioInput, other.effectiveAudioInput),
            audioOutput: max(effectiveAudioOutput, other.effectiveAudioOutput)
        )
    }
}
