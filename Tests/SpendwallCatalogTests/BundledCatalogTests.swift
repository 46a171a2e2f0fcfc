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
        #expect(catalog.version == "litellm 1.80.0 (sha256 3087c6346c60)")
        let source = try BundledCatalog.source()
        #expect(source.name == "litellm")
        #expect(source.version == "1.80.0")
        #expect(source.file == "model_prices_and_context_window_backup.json")
        #expect(source.sha256 == "3087c6346c60ba8da7a0f2e0abcd39480b7d8d3993c31b0aabae28b640fad567")
        #expect(source.license == "MIT, Copyright (c) 2023 Berri AI")
    }

    @Test func holdsOnlyTheThreeProvidersInBillableModes() {
        #expect(catalog.entries.count == 179)
        let modes: Set<ModelMode> = [.chat, .responses, .embedding, .completion]
        #expect(catalog.models(provider: .openai, modes: modes).count == 109)
        #expect(catalog.models(provider: .anthropic, modes: modes).count == 20)
        #expect(catalog.models(provider: .gemini, modes: modes).count == 50)
        for price in catalog.entries.values {
            #expect(price.rates.input >= 0 && price.rates.output >= 0, "\(price.name)")
            #expect(price.provider != .gemini || price.name.hasPrefix("gemini/"), "\(price.name)")
        }
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

    @Test func claudeSonnet45HasCacheWriteAndA200kTier() throws {
        let price = try #require(catalog.resolve(model: "claude-sonnet-4-5", provider: .anthropic))
        #expect(price.provider == .anthropic)
        #expect(price.rates == TokenRates(input: 3_000_000, output: 15_000_000, cachedInput: 300_000, cacheWrite: 3_750_000))
        #expect(price.longContextTiers == [
            LongContextTier(
                aboveInputTokens: 200_000,
                rates: TokenRates(input: 6_000_000, output: 22_500_000, cachedInput: 600_000, cacheWrite: 7_500_000)
            ),
        ])
        let dated = try #require(catalog.resolve(model: "claude-sonnet-4-5-20250929", provider: .anthropic))
        #expect(dated.name == "claude-sonnet-4-5-20250929")
    }

    @Test func gemini25ProHasAnAbove200kTier() throws {
        let price = try #require(catalog.resolve(model: "gemini-2.5-pro", provider: .gemini))
        #expect(price.name == "gemini/gemini-2.5-pro")
        #expect(price.rates == TokenRates(input: 1_250_000, output: 10_000_000, cachedInput: 312_500))
        let tier = try #require(price.longContextTiers.first)
        #expect(price.longContextTiers.count == 1)
        #expect(tier.aboveInputTokens == 200_000)
        #expect(tier.rates.input == 2_500_000)
        #expect(tier.rates.output == 15_000_000)
        // The data states no cache-read rate above 200k: it is billed at the tier's input rate,
        // never at the cheaper base cache rate.
        #expect(tier.rates.cachedInput == 2_500_000)
        #expect(price.rates(forInputTokens: 200_000) == price.rates)
        #expect(price.rates(forInputTokens: 200_001) == tier.rates)
    }

    @Test func gemini15ProKeepsItsAbove128kTier() throws {
        let price = try #require(catalog.resolve(model: "gemini-1.5-pro", provider: .gemini))
        #expect(price.longContextTiers.map(\.aboveInputTokens) == [128_000])
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
