import PropertyBased
import SpendwallCore
import Testing

@Suite("Cost calculator")
struct CostCalculatorTests {
    static let gpt4o = ModelPrice(
        name: "gpt-4o", provider: .openai, mode: .chat,
        rates: TokenRates(input: 2_500_000, output: 10_000_000, cachedInput: 1_250_000)
    )
    static let sonnet = ModelPrice(
        name: "claude-sonnet-4-5", provider: .anthropic, mode: .chat,
        rates: TokenRates(input: 3_000_000, output: 15_000_000, cachedInput: 300_000, cacheWrite: 3_750_000),
        longContextTiers: [LongContextTier(
            aboveInputTokens: 200_000,
            rates: TokenRates(input: 6_000_000, output: 22_500_000, cachedInput: 600_000, cacheWrite: 7_500_000)
        )]
    )

    static func flat(_ rates: TokenRates) -> ModelPrice {
        ModelPrice(name: "m", provider: .openai, mode: .chat, rates: rates)
    }

    @Test func roundsUpToTheNextNanodollar() {
        let onePico = Self.flat(TokenRates(input: 1, output: 1))
        #expect(CostCalculator.price(TokenUsage(input: 1), model: onePico).cost == Money(nanodollars: 1))
        #expect(CostCalculator.price(TokenUsage(input: 999), model: onePico).cost == Money(nanodollars: 1))
        #expect(CostCalculator.price(TokenUsage(input: 1_000), model: onePico).cost == Money(nanodollars: 1))
        #expect(CostCalculator.price(TokenUsage(input: 1_001), model: onePico).cost == Money(nanodollars: 2))
        #expect(CostCalculator.price(.zero, model: onePico).cost == .zero)
    }

    @Test func roundsOnceForTheWholeUsage() {
        // 1 input + 1 output at 1 pico each is 2 picos: one nano-dollar, not two.
        let onePico = Self.flat(TokenRates(input: 1, output: 1))
        #expect(CostCalculator.price(TokenUsage(input: 1, output: 1), model: onePico).cost == Money(nanodollars: 1))
    }

    @Test func nanosRoundedUpHandlesSignsAndLimits() {
        #expect(CostCalculator.nanosRoundedUp(0) == .zero)
        #expect(CostCalculator.nanosRoundedUp(1) == Money(nanodollars: 1))
        #expect(CostCalculator.nanosRoundedUp(-1) == .zero)
        #expect(CostCalculator.nanosRoundedUp(-1_500) == Money(nanodollars: -1))
        #expect(CostCalculator.nanosRoundedUp(.max) == Money(nanodollars: Int64.max / 1_000 + 1))
        #expect(CostCalculator.nanosRoundedUp(.min) == Money(nanodollars: Int64.min / 1_000))
    }

    @Test func pricesEveryTokenKindAtItsRate() {
        // 1M uncached input ($2.50) + 1M cached ($1.25) + 1M output ($10).
        let usage = TokenUsage(input: 1_000_000, cachedInput: 1_000_000, output: 1_000_000)
        #expect(CostCalculator.price(usage, model: Self.gpt4o).cost == Money(nanodollars: 13_750_000_000))
        // Anthropic cache writes cost more than input.
        let writes = TokenUsage(cacheWrite: 100_000)
        #expect(CostCalculator.price(writes, model: Self.sonnet).cost == Money(nanodollars: 375_000_000))
    }

    @Test func unsetRatesFallBackToInputAndOutput() {
        let model = Self.flat(TokenRates(input: 2, output: 7))
        #expect(CostCalculator.picodollars(TokenUsage(cachedInput: 10), rates: model.rates) == 20)
        #expect(CostCalculator.picodollars(TokenUsage(cacheWrite: 10), rates: model.rates) == 20)
        #expect(CostCalculator.picodollars(TokenUsage(reasoning: 10), rates: model.rates) == 70)
        let reasoning = TokenRates(input: 2, output: 7, reasoning: 9)
        #expect(CostCalculator.picodollars(TokenUsage(output: 1, reasoning: 10), rates: reasoning) == 97)
    }

    @Test func longContextTierAppliesStrictlyAboveItsThreshold() {
        let atThreshold = TokenUsage(input: 150_000, cachedInput: 50_000)
        #expect(CostCalculator.price(atThreshold, model: Self.sonnet).rates == Self.sonnet.rates)
        let above = TokenUsage(input: 150_000, cachedInput: 50_000, cacheWrite: 1)
        let priced = CostCalculator.price(above, model: Self.sonnet)
        #expect(priced.rates.input == 6_000_000)
        // In pico-dollars: 150k × 6,000,000 + 50k × 600,000 + 1 × 7,500,000.
        #expect(priced.cost == CostCalculator.nanosRoundedUp(900_000_000_000 + 30_000_000_000 + 7_500_000))
    }

    @Test func highestApplicableTierWins() {
        let model = ModelPrice(
            name: "m", provider: .gemini, mode: .chat,
            rates: TokenRates(input: 1, output: 1),
            longContextTiers: [
                LongContextTier(aboveInputTokens: 272_000, rates: TokenRates(input: 3, output: 3)),
                LongContextTier(aboveInputTokens: 128_000, rates: TokenRates(input: 2, output: 2)),
            ]
        )
        #expect(model.longContextTiers.map(\.aboveInputTokens) == [128_000, 272_000])
        #expect(model.rates(forInputTokens: 128_000).input == 1)
        #expect(model.rates(forInputTokens: 128_001).input == 2)
        #expect(model.rates(forInputTokens: 272_000).input == 2)
        #expect(model.rates(forInputTokens: 272_001).input == 3)
    }

    @Test func hugeUsagesSaturateInsteadOfTrapping() {
        let usage = TokenUsage(input: .max, cachedInput: .max, cacheWrite: .max, output: .max, reasoning: .max)
        let priced = CostCalculator.price(usage, model: Self.sonnet)
        #expect(priced.cost == Money(nanodollars: Int64.max / 1_000 + 1))
        let worst = CostCalculator.worstCase(model: Self.sonnet, inputTokenBound: .max, outputTokenCap: .max, choices: .max)
        #expect(worst == Money(nanodollars: Int64.max / 1_000 + 1))
    }

    @Test func pricingNeverTraps() async {
        let count = Gen.int64(in: 0 ... .max)
        let rate = Gen.int64(in: 0 ... 10_000_000_000)
        await propertyCheck(count: 300, input: count.array(of: 5), rate.array(of: 5)) { counts, rates in
            let usage = TokenUsage(input: counts[0], cachedInput: counts[1], cacheWrite: counts[2], output: counts[3], reasoning: counts[4])
            let model = Self.flat(TokenRates(input: rates[0], output: rates[1], cachedInput: rates[2], cacheWrite: rates[3], reasoning: rates[4]))
            #expect(CostCalculator.price(usage, model: model).cost >= .zero)
        }
    }

    @Test func worstCaseCountsChoicesForOutputOnly() {
        let model = Self.flat(TokenRates(input: 1_000, output: 2_000))
        // 100 input × 1,000 + 10 output × 3 choices × 2,000 picos.
        #expect(CostCalculator.worstCase(model: model, inputTokenBound: 100, outputTokenCap: 10, choices: 3)
            == Money(nanodollars: 100 + 60))
        #expect(CostCalculator.worstCase(model: model, inputTokenBound: 100, outputTokenCap: 10, choices: 0)
            == CostCalculator.worstCase(model: model, inputTokenBound: 100, outputTokenCap: 10, choices: 1))
    }

    @Test func worstCaseUsesTheDearestInputKind() {
        // Sonnet's cache writes (3.75) cost more than uncached input (3).
        #expect(CostCalculator.worstCase(model: Self.sonnet, inputTokenBound: 1_000, outputTokenCap: 0, choices: 1)
            == Money(nanodollars: 3_750_000))
        // Above 200k the tier's rates apply.
        #expect(CostCalculator.worstCase(model: Self.sonnet, inputTokenBound: 200_001, outputTokenCap: 0, choices: 1)
            == CostCalculator.nanosRoundedUp(200_001 * 7_500_000))
    }

    /// Whatever a request ends up using within its bounds, it never costs more than the
    /// reservation `worstCase` made for it.
    @Test func worstCaseBoundsEveryUsageWithinTheBounds() async {
        let rate = Gen.int64(in: 0 ... 50_000_000)
        let tokens = Gen.int64(in: 0 ... 2_000_000)
        let split = Gen.int64(in: 0 ... 1_000_000)
        await propertyCheck(count: 1_000, input: rate.array(of: 15), tokens.array(of: 4), split.array(of: 6)) { r, t, s in
            // Rates: a base and up to two tiers, each with optional cached, write and reasoning rates.
            func rates(_ i: Int) -> TokenRates {
                TokenRates(
                    input: r[i], output: r[i + 1],
                    cachedInput: r[i + 2] % 3 == 0 ? nil : r[i + 2],
                    cacheWrite: r[i + 3] % 3 == 0 ? nil : r[i + 3],
                    reasoning: r[i + 4] % 3 == 0 ? nil : r[i + 4]
                )
            }
            var tiers: [LongContextTier] = []
            if t[2] % 2 == 0 { tiers.append(LongContextTier(aboveInputTokens: 128_000, rates: rates(5))) }
            if t[3] % 2 == 0 { tiers.append(LongContextTier(aboveInputTokens: 200_000, rates: rates(10))) }
            let model = ModelPrice(name: "m", provider: .openai, mode: .chat, rates: rates(0), longContextTiers: tiers)

            let inputBound = t[0]
            let outputCap = t[1] % 100_000
            let choices = t[2] % 5   // 0 is billed as 1
            // A usage with totalInput ≤ inputBound and totalOutput ≤ outputCap × max(choices, 1).
            let input = s[0] % (inputBound + 1)
            let cached = s[1] % (inputBound - input + 1)
            let written = s[2] % (inputBound - input - cached + 1)
            let outputBound = outputCap * max(choices, 1)
            let output = s[3] % (outputBound + 1)
            let reasoning = s[4] % (outputBound - output + 1)
            let usage = TokenUsage(input: input, cachedInput: cached, cacheWrite: written, output: output, reasoning: reasoning)

            let worst = CostCalculator.worstCase(model: model, inputTokenBound: inputBound, outputTokenCap: outputCap, choices: choices)
            let actual = CostCalculator.price(usage, model: model).cost
            #expect(actual <= worst, "usage \(usage) cost \(actual) above worst case \(worst)")
        }
    }
}

@Suite struct ServiceTierPricingTests {
    static let standard = TokenRates(input: 1_000, output: 4_000, cachedInput: 100)
    static let priority = TokenRates(input: 2_000, output: 8_000, cachedInput: 200)
    static let flex = TokenRates(input: 500, output: 2_000, cachedInput: 50)
    static let longContext = LongContextTier(aboveInputTokens: 100_000, rates: TokenRates(input: 3_000, output: 6_000, cachedInput: 300))
    static let model = ModelPrice(name: "m", provider: .openai, mode: .chat, rates: standard, longContextTiers: [longContext],
                                  priorityRates: priority, flexRates: flex)

    @Test func aTierWithRatesReplacesTheBaseRates() {
        let usage = TokenUsage(input: 10, cachedInput: 10, output: 10)
        #expect(CostCalculator.price(usage, model: Self.model.served(at: .priority)).rates == Self.priority)
        #expect(CostCalculator.price(usage, model: Self.model.served(at: .flex)).rates == Self.flex)
        #expect(CostCalculator.price(usage, model: Self.model.served(at: nil)).rates == Self.standard)
        #expect(CostCalculator.price(usage, model: Self.model.served(at: .priority)).cost == Money(nanodollars: 102))
    }

    @Test func wireValuesNameTiers() {
        #expect(ServiceTier(wireValue: "priority") == .priority)
        #expect(ServiceTier(wireValue: "SERVICE_TIER_PRIORITY") == .priority)
        #expect(ServiceTier(wireValue: "Flex") == .flex)
        for standard in ["default", "auto", "scale", "standard", "SERVICE_TIER_STANDARD", "SERVICE_TIER_UNSPECIFIED", "", "service_tier_"] {
            #expect(ServiceTier(wireValue: standard) == nil, "\(standard)")
        }
    }

    @Test func aTierTheDataDoesNotPriceBillsAtStandardRates() {
        var unpriced = Self.model
        unpriced.priorityRates = nil
        #expect(unpriced.served(at: .priority) == unpriced)
    }

    @Test func longContextRatesAreNeverUndercutByATier() {
        let usage = TokenUsage(input: 200_000, output: 10)
        // Priority output (8,000) beats the long-context output (6,000); long-context input wins.
        let priority = CostCalculator.price(usage, model: Self.model.served(at: .priority)).rates
        #expect(priority.input == 3_000 && priority.output == 8_000 && priority.cachedInput == 300)
        // Flex never applies above the threshold.
        #expect(CostCalculator.price(usage, model: Self.model.served(at: .flex)).rates == TokenRates(
            input: 3_000, output: 6_000, cachedInput: 300, cacheWrite: 3_000, extendedCacheWrite: 3_000, reasoning: 6_000,
            audioInput: 3_000, audioOutput: 6_000
        ))
    }

    @Test func aTiersOwnLongContextRatesWin() {
        var model = Self.model
        model.priorityLongContextTiers = [LongContextTier(aboveInputTokens: 100_000, rates: TokenRates(input: 9_000, output: 20_000))]
        let served = model.served(at: .priority)
        #expect(served.rates(forInputTokens: 200_000) == TokenRates(input: 9_000, output: 20_000))
        #expect(served.rates(forInputTokens: 50_000) == Self.priority)
        #expect(CostCalculator.worstCase(model: served, inputTokenBound: 200_000, outputTokenCap: 10, choices: 1) == Money(nanodollars: 1_800_200))
    }

    @Test func theHoldIsPricedAtTheTier() {
        let standard = CostCalculator.worstCase(model: Self.model, inputTokenBound: 1_000, outputTokenCap: 100, choices: 1)
        let priority = CostCalculator.worstCase(model: Self.model.served(at: .priority), inputTokenBound: 1_000, outputTokenCap: 100, choices: 1)
        #expect(standard == Money(nanodollars: 1_400))
        #expect(priority == Money(nanodollars: 2_800))
    }
}

@Suite struct AudioPricingTests {
    static let rates = TokenRates(input: 2_500, output: 10_000, audioInput: 32_000, audioOutput: 64_000)
    static let model = ModelPrice(name: "audio", provider: .openai, mode: .chat, rates: rates, maxInputTokens: 128_000)

    @Test func audioTokensBillAtTheirOwnRates() {
        let usage = TokenUsage(input: 10, output: 10, audioInput: 10, audioOutput: 10)
        // 10 × (2,500 + 10,000 + 32,000 + 64,000) pico = 1,085 nano.
        #expect(CostCalculator.price(usage, model: Self.model).cost == Money(nanodollars: 1_085))
        // Without audio rates, audio bills as text.
        let textOnly = ModelPrice(name: "t", provider: .openai, mode: .chat, rates: TokenRates(input: 2_500, output: 10_000))
        #expect(CostCalculator.price(usage, model: textOnly).cost == Money(nanodollars: 250))
    }

    @Test func theHoldCoversAudioInputOnlyForMediaBodiesAndAudioOutputAlways() {
        let text = CostCalculator.worstCase(model: Self.model, inputTokenBound: 1_000, outputTokenCap: 100, choices: 1)
        let media = CostCalculator.worstCase(model: Self.model, inputTokenBound: 1_000, outputTokenCap: 100, choices: 1, mediaInput: true)
        // Output at the audio rate either way; input at the text rate unless the body has media.
        #expect(text == Money(nanodollars: 2_500 + 6_400))
        #expect(media == Money(nanodollars: 32_000 + 6_400))
        let plan = try? AdmissionPlan.make(
            input: AdmissionInput(bodyBytes: 100, hasMedia: true, requestedOutputCap: 100, defaultOutputCap: 100, choices: 1, producesOutput: true),
            model: Self.model
        )
        // A media body is bounded by the context window, every token at the audio input rate.
        #expect(plan?.hold == Money(nanodollars: 128_000 * 32 + 6_400))
    }

    @Test func theHoldCoversTheStoredConversationUpToTheContextWindow() throws {
        func plan(prior: Int64) throws -> AdmissionPlan {
            try AdmissionPlan.make(
                input: AdmissionInput(bodyBytes: 100, hasMedia: false, requestedOutputCap: 10, defaultOutputCap: 10, choices: 1, producesOutput: true, priorContextTokens: prior),
                model: Self.model
            )
        }
        #expect(try plan(prior: 0).inputTokenBound == 164)
        #expect(try plan(prior: 5_000).inputTokenBound == 5_164)
        #expect(try plan(prior: 5_000).hold > plan(prior: 0).hold)
        // The provider cannot read more than the context window, however long the conversation.
        #expect(try plan(prior: 10_000_000).inputTokenBound == 128_000)
    }
}
