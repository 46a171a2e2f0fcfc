import SpendwallCatalog
import SpendwallCore
import Testing

@Suite("Bundled catalog")
struct BundledCatalogTests {
    let catalog: PriceCatalog

    init() throws {
        catalog = try BundledCatalog.load()
    }

    @Test func versionNamesTheSourceAndItsHash() throws {
        #expect(catalog.version == "litellm 1.109.1 (sha256 8f8060d8ce7a)")
        let source = try BundledCatalog.source()
        #expect(source.name == "litellm")
        #expect(source.version == "1.109.1")
        #expect(source.file == "model_prices_and_context_window_backup.json")
        #expect(source.sha256 == "8f8060d8ce7a40c91b995c74d6a27657543d49e3c1c53430dabd556f244392c6")
        #expect(source.license == "MIT, Copyright (c) 2023 Berri AI")
    }

    @Test func holdsOnlyTheThreeProvidersInBillableModes() {
        #expect(catalog.entries.count == 203)
        let modes: Set<ModelMode> = [.chat, .responses, .embedding, .completion]
        #expect(catalog.models(provider: .openai, modes: modes).count == 134)
        #expect(catalog.models(provider: .anthropic, modes: modes).count == 22)
        #expect(catalog.models(provider: .gemini, modes: modes).count == 47)
        for price in catalog.entries.values {
            #expect(price.rates.input >= 0 && price.rates.output >= 0, "\(price.name)")
            // Only Gemini keys carry a provider prefix in the data; OpenAI and Anthropic keys are
            // the names clients send.
            #expect(price.provider == .gemini || !price.name.contains("/"), "\(price.name)")
        }
    }

    /// Most Gemini keys are `gemini/<name>`, but litellm 1.109.1 also has a few bare ones. Every
    /// Gemini entry must be reachable by the name a client sends (`<name>` or `models/<name>`);
    /// a bare key shadows a `gemini/` twin (resolution tries the bare key first), so the bare
    /// keys are pinned here and a twin must price exactly like the entry that shadows it.
    @Test func everyGeminiEntryIsReachableByItsClientName() throws {
        let gemini = catalog.entries.values.filter { $0.provider == .gemini }
        let bare = Set(gemini.map(\.name).filter { !$0.hasPrefix("gemini/") })
        #expect(bare == ["gemini-exp-1206", "gemini-flash-latest", "gemini-flash-lite-latest", "gemini-pro-latest"])
        for price in gemini {
            let clientName = PriceCatalog.publicName(of: price)
            #expect(!clientName.contains("/"), "\(price.name)")
            let resolved = try #require(catalog.resolve(model: clientName, provider: .gemini), "\(price.name)")
            #expect(catalog.resolve(model: "models/" + clientName, provider: .gemini)?.name == resolved.name)
            if resolved.name == price.name { continue }
            // Shadowed: `gemini/<name>` with a bare `<name>` entry, which is what gets billed.
            #expect(price.name == "gemini/" + resolved.name && bare.contains(resolved.name), "\(price.name)")
            // In 1.109.1 the two `gemini-exp-1206` entries disagree (the bare one is priced like
            // Gemini 2.5 Flash-Lite, the `gemini/` one is free with a 128k tier); the bare,
            // paid one is billed. Every other twin is identical.
            if resolved.name == "gemini-exp-1206" {
                #expect(resolved.rates.input == 300_000 && price.rates.input == 0)
                continue
            }
            #expect(price.rates == resolved.rates, "\(price.name)")
            #expect(price.longContextTiers == resolved.longContextTiers, "\(price.name)")
            #expect(price.mode == resolved.mode, "\(price.name)")
        }
        // The usual case still adds the data's prefix.
        #expect(catalog.resolve(model: "gemini-2.5-pro", provider: .gemini)?.name == "gemini/gemini-2.5-pro")
        #expect(catalog.resolve(model: "gemini-pro-latest", provider: .gemini)?.name == "gemini-pro-latest")
    }

    @Test func gpt4oHasItsPublishedPrices() throws {
        let price = try #require(catalog.resolve(model: "gpt-4o", provider: .openai))
        #expect(price.name == "gpt-4o")
        #expect(price.mode == .chat)
        // $2.50 / $10.00 / $1.25 cached per million tokens.
        #expect(price.rates == TokenRates(input: 2_500_000, output: 10_000_000, cachedInput: 1_250_000))
        #expect(price.maxInputTokens == 128_000)
        #expect(price.maxOutputTokens == 16_384)
        #expect(price.longContextTiers.isEmpty)
    }

    @Test func processingTiersHaveTheirOwnRates() throws {
        let gpt4o = try #require(catalog.resolve(model: "gpt-4o", provider: .openai))
        // Priority: $4.25 / $17.00 / $2.125 cached per million tokens.
        #expect(gpt4o.priorityRates == TokenRates(input: 4_250_000, output: 17_000_000, cachedInput: 2_125_000))
        #expect(gpt4o.flexRates == nil)
        let mini = try #require(catalog.resolve(model: "gpt-5-mini", provider: .openai))
        #expect(mini.flexRates == TokenRates(input: 125_000, output: 1_000_000, cachedInput: 12_500))
        #expect(mini.priorityRates == TokenRates(input: 450_000, output: 3_600_000, cachedInput: 45_000))
        let flash = try #require(catalog.resolve(model: "gemini-2.5-flash", provider: .gemini))
        #expect(flash.priorityRates == TokenRates(input: 540_000, output: 4_500_000, cachedInput: 54_000, audioInput: 1_800_000))
        #expect(flash.flexRates == TokenRates(input: 150_000, output: 1_250_000, cachedInput: 30_000, audioInput: 500_000))
        // A tier's own long-context rates: Gemini 2.5 Pro at priority above 200k input tokens is
        // $4.50 / $27 per million, not the standard long-context $2.50 / $15.
        let pro = try #require(catalog.resolve(model: "gemini-2.5-pro", provider: .gemini))
        let longPriority = pro.served(at: .priority).rates(forInputTokens: 300_000)
        #expect(longPriority.input == 4_500_000 && longPriority.output == 27_000_000 && longPriority.cachedInput == 450_000)
        #expect(pro.served(at: .priority).rates(forInputTokens: 100_000).input == 2_250_000)
        // Anthropic's Priority Tier is bought capacity, not a per-token price.
        #expect(catalog.entries.values.allSatisfy { $0.provider != .anthropic || ($0.priorityRates == nil && $0.flexRates == nil) })
    }

    @Test func audioTokensHaveTheirOwnRates() throws {
        // gpt-audio: $32 / $64 per million audio tokens, against $2.50 / $10 for text.
        let audio = try #require(catalog.resolve(model: "gpt-audio", provider: .openai))
        #expect(audio.rates == TokenRates(input: 2_500_000, output: 10_000_000, audioInput: 32_000_000, audioOutput: 64_000_000))
        // Gemini 2.5 Flash: $1.00 per million audio input tokens, against $0.30 for text.
        let flash = try #require(catalog.resolve(model: "gemini-2.5-flash", provider: .gemini))
        #expect(flash.rates.audioInput == 1_000_000 && flash.rates.audioOutput == nil)
    }

    @Test func gpt4oMiniHasItsPublishedPrices() throws {
        let price = try #require(catalog.resolve(model: "gpt-4o-mini", provider: .openai))
        #expect(price.rates == TokenRates(input: 150_000, output: 600_000, cachedInput: 75_000))
    }

    @Test func datedSnapshotResolvesToItsOwnEntry() throws {
        let price = try #require(catalog.resolve(model: "gpt-4o-2024-08-06", provider: .openai))
        #expect(price.name == "gpt-4o-2024-08-06")
        #expect(price.rates.input == 2_500_000)
        let older = try #require(catalog.resolve(model: "gpt-4o-2024-05-13", provider: .openai))
        #expect(older.name == "gpt-4o-2024-05-13")
        #expect(older.rates.input == 5_000_000)
    }

    @Test func claudeSonnet45HasCacheWriteAndNoTier() throws {
        let price = try #require(catalog.resolve(model: "claude-sonnet-4-5", provider: .anthropic))
        #expect(price.provider == .anthropic)
        // $3 / $15 / $0.30 cache read / $3.75 5-minute cache write / $6 1-hour cache write
        // (litellm 1.109.1: cache_creation_input_token_cost_above_1hr = 6e-06).
        #expect(price.rates == TokenRates(
            input: 3_000_000, output: 15_000_000, cachedInput: 300_000, cacheWrite: 3_750_000, extendedCacheWrite: 6_000_000
        ))
        // litellm 1.109.1 states no above-200k rates for it (1.80.0 did); its input limit is 200k.
        #expect(price.longContextTiers.isEmpty)
        #expect(price.maxInputTokens == 200_000)
        let dated = try #require(catalog.resolve(model: "claude-sonnet-4-5-20250929", provider: .anthropic))
        #expect(dated.name == "claude-sonnet-4-5-20250929")
        #expect(dated.rates == price.rates)
    }

    /// The Anthropic model with a long-context tier in 1.109.1: every kind, both kinds of cache
    /// write included, is tiered above 100k input tokens (the 1-hour rate from
    /// `cache_creation_input_token_cost_above_1hr_above_100k_tokens` = 1e-06). The `…_batches`
    /// tier fields are not per-token prices Spendwall bills and are ignored.
    @Test func claudeHaiku55HasCacheWriteAndA100kTier() throws {
        let price = try #require(catalog.resolve(model: "claude-haiku-5-5", provider: .anthropic))
        #expect(price.rates == TokenRates(
            input: 100_000, output: 500_000, cachedInput: 10_000, cacheWrite: 125_000, extendedCacheWrite: 200_000
        ))
        #expect(price.longContextTiers == [
            LongContextTier(
                aboveInputTokens: 100_000,
                rates: TokenRates(input: 500_000, output: 2_500_000, cachedInput: 50_000, cacheWrite: 625_000, extendedCacheWrite: 1_000_000)
            ),
        ])
        #expect(price.rates(forInputTokens: 100_000) == price.rates)
        #expect(price.rates(forInputTokens: 100_001) == price.longContextTiers[0].rates)
    }

    @Test func claudeOpus45AndHaiku45HaveTheir1HourCacheWriteRates() throws {
        // litellm 1.109.1: claude-opus-4-5 1e-05 ($10/M), claude-haiku-4-5 2e-06 ($2/M).
        let opus = try #require(catalog.resolve(model: "claude-opus-4-5", provider: .anthropic))
        #expect(opus.rates == TokenRates(
            input: 5_000_000, output: 25_000_000, cachedInput: 500_000, cacheWrite: 6_250_000, extendedCacheWrite: 10_000_000
        ))
        let haiku = try #require(catalog.resolve(model: "claude-haiku-4-5", provider: .anthropic))
        #expect(haiku.rates.cacheWrite == 1_250_000)
        #expect(haiku.rates.extendedCacheWrite == 2_000_000)
    }

    /// Anthropic bills 1-hour cache writes at twice the input rate and 5-minute ones at 1.25 times;
    /// every Anthropic entry of 1.109.1 states both. OpenAI and Gemini entries have no 1-hour rate
    /// (OpenAI's `…_above_12hr` cache is not read).
    @Test func everyAnthropicModelCarriesA1HourRate() {
        let anthropic = catalog.entries.values.filter { $0.provider == .anthropic }
        #expect(anthropic.count == 22)
        for price in anthropic {
            #expect(price.rates.extendedCacheWrite == price.rates.input * 2, "\(price.name)")
            #expect(price.rates.cacheWrite.map { $0 * 4 } == price.rates.input * 5, "\(price.name)")
            for tier in price.longContextTiers {
                #expect(tier.rates.extendedCacheWrite == tier.rates.input * 2, "\(price.name)")
            }
        }
        for price in catalog.entries.values where price.provider != .anthropic {
            #expect(price.rates.extendedCacheWrite == nil, "\(price.name)")
            #expect(price.longContextTiers.allSatisfy { $0.rates.extendedCacheWrite == nil }, "\(price.name)")
        }
    }

    @Test func oneHourCacheWritesAreBilledAtTheirOwnRate() throws {
        let price = try #require(catalog.resolve(model: "claude-sonnet-4-5", provider: .anthropic))
        // 1,000 5-minute writes at $3.75/M + 1,000 1-hour writes at $6/M = $0.00375 + $0.006.
        let priced = CostCalculator.price(TokenUsage(cacheWrite: 1_000, extendedCacheWrite: 1_000), model: price)
        #expect(priced.cost == Money(nanodollars: 9_750_000))
        #expect(price.rates.highestInput == 6_000_000)
    }

    @Test func gemini25ProHasAnAbove200kTier() throws {
        let price = try #require(catalog.resolve(model: "gemini-2.5-pro", provider: .gemini))
        #expect(price.name == "gemini/gemini-2.5-pro")
        #expect(price.rates == TokenRates(input: 1_250_000, output: 10_000_000, cachedInput: 125_000))
        let tier = try #require(price.longContextTiers.first)
        #expect(price.longContextTiers.count == 1)
        #expect(tier.aboveInputTokens == 200_000)
        #expect(tier.rates.input == 2_500_000)
        #expect(tier.rates.output == 15_000_000)
        // litellm 1.109.1 states the cache-read rate above 200k (1.80.0 did not).
        #expect(tier.rates.cachedInput == 250_000)
        #expect(price.rates(forInputTokens: 200_000) == price.rates)
        #expect(price.rates(forInputTokens: 200_001) == tier.rates)
    }

    @Test func gemma327bKeepsItsAbove128kTier() throws {
        // gemini-1.5-pro, the 1.80.0 example, is gone; Gemma 3 27B (free) still has a 128k tier.
        let price = try #require(catalog.resolve(model: "gemma-3-27b-it", provider: .gemini))
        #expect(price.name == "gemini/gemma-3-27b-it")
        #expect(price.longContextTiers.map(\.aboveInputTokens) == [128_000])
    }

    @Test func gpt54HasAnAbove272kTier() throws {
        let price = try #require(catalog.resolve(model: "gpt-5.4", provider: .openai))
        #expect(price.rates == TokenRates(input: 2_500_000, output: 15_000_000, cachedInput: 250_000))
        #expect(price.longContextTiers == [
            LongContextTier(
                aboveInputTokens: 272_000,
                rates: TokenRates(input: 5_000_000, output: 22_500_000, cachedInput: 500_000)
            ),
        ])
        #expect(price.maxInputTokens == 1_050_000)
        #expect(price.rates(forInputTokens: 272_001) == price.longContextTiers[0].rates)
    }

    @Test func textEmbedding3SmallIsAnEmbedding() throws {
        let price = try #require(catalog.resolve(model: "text-embedding-3-small", provider: .openai))
        #expect(price.mode == .embedding)
        #expect(price.rates.input == 20_000)
        #expect(price.rates.output == 0)
    }

    @Test func textCompletionModelsBillAsOpenAI() throws {
        let price = try #require(catalog.resolve(model: "gpt-3.5-turbo-instruct", provider: .openai))
        #expect(price.mode == .completion)
        #expect(price.rates == TokenRates(input: 1_500_000, output: 2_000_000))
    }

    @Test func reasoningRateIsKeptWhereTheDataHasOne() throws {
        let price = try #require(catalog.resolve(model: "gemini-2.5-flash", provider: .gemini))
        #expect(price.rates.reasoning == 2_500_000)
    }

    @Test func pricesAreOrdinaryValuesForTheCalculator() throws {
        let price = try #require(catalog.resolve(model: "gpt-4o", provider: .openai))
        // 1,000 input + 500 output tokens = $0.0025 + $0.005.
        let priced = CostCalculator.price(TokenUsage(input: 1_000, output: 500), model: price)
        #expect(priced.cost == Money(nanodollars: 7_500_000))
    }
}
