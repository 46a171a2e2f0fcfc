/// The result of pricing a usage: the amount and the unit rates it was computed with.
public struct PricedUsage: Sendable, Hashable, Codable {
    /// The cost, rounded up to the next nano-dollar.
    public var cost: Money
    /// The rates that were applied (base or a long-context tier).
    public var rates: TokenRates

    public init(cost: Money, rates: TokenRates) {
        self.cost = cost
        self.rates = rates
    }
}

/// Integer cost arithmetic. All functions are pure and total: overflow saturates.
public enum CostCalculator {
    /// Pico-dollars in one nano-dollar.
    static let picosPerNano: Int64 = 1_000

    /// Prices a usage against a model's price. Rounds the total up to the next nano-dollar once,
    /// so a usage split into kinds is never cheaper than the sum of its exact parts.
    public static func price(_ usage: TokenUsage, model: ModelPrice) -> PricedUsage {
        let rates = model.rates(forInputTokens: usage.totalInput)
        let picos = picodollars(usage, rates: rates)
        return PricedUsage(cost: nanosRoundedUp(picos), rates: rates)
    }

    /// The exact cost in pico-dollars of a usage at the given rates.
    public static func picodollars(_ usage: TokenUsage, rates: TokenRates) -> Int64 {
        usage.input.saturatingMultiplied(by: rates.input)
            .saturatingAdding(usage.cachedInput.saturatingMultiplied(by: rates.effectiveCachedInput))
            .saturatingAdding(usage.cacheWrite.saturatingMultiplied(by: rates.effectiveCacheWrite))
            .saturatingAdding(usage.extendedCacheWrite.saturatingMultiplied(by: rates.effectiveExtendedCacheWrite))
            .saturatingAdding(usage.output.saturatingMultiplied(by: rates.output))
            .saturatingAdding(usage.reasoning.saturatingMultiplied(by: rates.effectiveReasoning))
            .saturatingAdding(usage.audioInput.saturatingMultiplied(by: rates.effectiveAudioInput))
            .saturatingAdding(usage.audioOutput.saturatingMultiplied(by: rates.effectiveAudioOutput))
    }

    /// Converts pico-dollars to nano-dollars, rounding up.
    public static func nanosRoundedUp(_ picos: Int64) -> Money {
        if picos <= 0 { return Money(nanodollars: picos / picosPerNano) }
        let (quotient, remainder) = picos.quotientAndRemainder(dividingBy: picosPerNano)
        return Money(nanodollars: remainder == 0 ? quotient : quotient + 1)
    }

    /// The most a request can cost: every input token at the highest input-side rate and every
    /// output token at the highest output-side rate, of the tier its input could fall in, times
    /// the number of choices (`n`) for output.
    ///
    /// - Parameters:
    ///   - inputTokenBound: an upper bound on input tokens.
    ///   - outputTokenCap: the output cap the provider will enforce.
    ///   - choices: how many completions are generated (`n`); input is billed once.
    ///   - mediaInput: the body has media parts, so its input may be audio, billed at the audio rate.
    public static func worstCase(model: ModelPrice, inputTokenBound: Int64, outputTokenCap: Int64, choices: Int64, mediaInput: Bool = false) -> Money {
        func inputRate(_ rates: TokenRates) -> Int64 {
            mediaInput ? max(rates.highestInput, rates.effectiveAudioInput) : rates.highestInput
        }
        let rates = model.rates(forInputTokens: inputTokenBound)
        var highestInput = inputRate(rates)
        var highestOutput = rates.highestOutput
        // A lower tier is never dearer, but guard against odd data by taking the maximum of all
        // tiers the bound could land in.
        for tier in model.longContextTiers where inputTokenBound > tier.aboveInputTokens {
            highestInput = max(highestInput, inputRate(tier.rates))
            highestOutput = max(highestOutput, tier.rates.highestOutput)
        }
        highestInput = max(highestInput, inputRate(model.rates))
        highestOutput = max(highestOutput, model.rates.highestOutput)
        let picos = inputTokenBound.saturatingMultiplied(by: highestInput)
            .saturatingAdding(outputTokenCap.saturatingMultiplied(by: max(choices, 1)).saturatingMultiplied(by: highestOutput))
        return nanosRoundedUp(picos)
    }
}
