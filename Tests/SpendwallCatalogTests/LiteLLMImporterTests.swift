import Foundation
import SpendwallCatalog
import SpendwallCore
import Testing

@Suite("Importing LiteLLM's upstream price file")
struct LiteLLMImporterTests {
    func importing(_ json: String) throws -> LiteLLMImport {
        try LiteLLMImporter().importPrices(from: Data(json.utf8))
    }

    /// Expects the import to fail with `code`, and returns the error for further checks.
    func failure(_ json: String, _ code: CatalogError.Code, sourceLocation: SourceLocation = #_sourceLocation) -> CatalogError? {
        do {
            _ = try importing(json)
            Issue.record("import succeeded; expected \(code.rawValue)", sourceLocation: sourceLocation)
            return nil
        } catch let error as CatalogError {
            #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
            return error
        } catch {
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
            return nil
        }
    }

    @Test func importsOnlyInScopeEntriesAndCountsTheRest() throws {
        let result = try importing(LiteLLMFixture.upstream)
        #expect(result.prices.map(\.name) == [
            "claude-haiku-5-5", "claude-sonnet-4-5", "gemini-pro-latest", "gemini/gemini-2.5-pro",
            "gemini/gemma-3-27b-it", "gpt-3.5-turbo-instruct", "gpt-4o", "gpt-4o-2024-08-06", "gpt-5.4",
            "text-embedding-3-small",
        ])
        #expect(result.summary.importedCount == 10)
        // other_provider: the documentation entry and the Azure deployment; unsupported_mode:
        // gpt-image-1-mini (image_generation); no_token_prices: openai/container.
        #expect(result.summary.skippedByReason == [.otherProvider: 2, .unsupportedMode: 1, .noTokenPrices: 1])
        #expect(result.summary.skippedCount == 4)
        #expect(result.summary.unpricedModels == ["openai/container"])
        #expect(result.summary.roundedPriceCount == 0)
        #expect(result.summary.description
            == "imported 10 models; skipped 4 (other_provider 2, unsupported_mode 1, no_token_prices 1)")
    }

    /// The bundled resource and an upstream import go through one set of rules: importing the
    /// upstream entries the resource was made from gives exactly the bundled prices.
    @Test func upstreamEntriesPriceExactlyLikeTheBundledOnes() throws {
        let bundled = try BundledCatalog.load()
        let imported = try importing(LiteLLMFixture.upstream)
        #expect(imported.prices.count == 10)
        for price in imported.prices {
            #expect(bundled.entries[price.name] == price, "\(price.name)")
        }
        // The comparison covers the 1-hour cache-write fields: both sides read them (equality
        // would also hold if both ignored them, so pin the values from the verbatim entries).
        let sonnet = try #require(imported.prices.first { $0.name == "claude-sonnet-4-5" })
        #expect(sonnet.rates.extendedCacheWrite == 6_000_000)   // 6e-06
        let haiku = try #require(imported.prices.first { $0.name == "claude-haiku-5-5" })
        #expect(haiku.rates.extendedCacheWrite == 200_000)      // 2e-07
        #expect(haiku.longContextTiers.map(\.rates.extendedCacheWrite) == [1_000_000])   // …_above_1hr_above_100k_tokens: 1e-06
    }

    @Test func catalogFromAnImportResolvesLikeTheBundledOne() throws {
        let catalog = try importing(LiteLLMFixture.upstream).makeCatalog(version: "litellm test")
        #expect(catalog.version == "litellm test")
        #expect(catalog.resolve(model: "models/gemini-2.5-pro", provider: .gemini)?.name == "gemini/gemini-2.5-pro")
        #expect(catalog.resolve(model: "gpt-4o-2024-08-06", provider: .openai)?.name == "gpt-4o-2024-08-06")
        #expect(catalog.resolve(model: "gemini-pro-latest", provider: .gemini)?.name == "gemini-pro-latest")
        #expect(catalog.resolve(model: "models/gemini-pro-latest", provider: .gemini)?.name == "gemini-pro-latest")
        #expect(catalog.resolve(model: "gemma-3-27b-it", provider: .gemini)?.name == "gemini/gemma-3-27b-it")
    }

    @Test func tiersAbove272kAndReasoningRatesAreRead() throws {
        let result = try importing(#"""
        {"gpt-9": {"litellm_provider": "openai", "mode": "responses",
          "input_cost_per_token": 1.25e-06, "output_cost_per_token": 1e-05,
          "cache_read_input_token_cost": 1.25e-07, "output_cost_per_reasoning_token": 1.2e-05,
          "input_cost_per_token_above_272k_tokens": 2.5e-06, "output_cost_per_token_above_272k_tokens": 1.5e-05,
          "cache_read_input_token_cost_above_272k_tokens": 2.5e-07,
          "input_cost_per_token_above_128k_tokens": 2e-06,
          "input_cost_per_character_above_128k_tokens": 1e-06,
          "cache_creation_input_token_cost_above_1hr": 9e-06,
          "max_input_tokens": 400000, "max_output_tokens": 128000}}
        """#)
        let price = try #require(result.prices.first)
        #expect(price.mode == .responses)
        #expect(price.rates == TokenRates(
            input: 1_250_000, output: 10_000_000, cachedInput: 125_000, extendedCacheWrite: 9_000_000, reasoning: 12_000_000
        ))
        #expect(price.longContextTiers == [
            // Only input is tiered above 128k: output keeps the base rate, cache reads bill at
            // the tier's input rate, reasoning at least the base reasoning rate, 1-hour cache
            // writes at least the base 1-hour rate.
            LongContextTier(
                aboveInputTokens: 128_000,
                rates: TokenRates(input: 2_000_000, output: 10_000_000, cachedInput: 2_000_000, extendedCacheWrite: 9_000_000, reasoning: 12_000_000)
            ),
            LongContextTier(
                aboveInputTokens: 272_000,
                rates: TokenRates(input: 2_500_000, output: 15_000_000, cachedInput: 250_000, extendedCacheWrite: 9_000_000, reasoning: 15_000_000)
            ),
        ])
        #expect(price.maxInputTokens == 400_000)
    }

    @Test func oneHourCacheWriteRatesAndTheirTiersAreRead() throws {
        let result = try importing(#"""
        {"claude-x": {"litellm_provider": "anthropic", "mode": "chat",
          "input_cost_per_token": 3e-06, "output_cost_per_token": 1.5e-05,
          "cache_creation_input_token_cost": 3.75e-06, "cache_creation_input_token_cost_above_1hr": 6e-06,
          "input_cost_per_token_above_200k_tokens": 6e-06,
          "cache_creation_input_token_cost_above_200k_tokens": 7.5e-06,
          "cache_creation_input_token_cost_above_1hr_above_200k_tokens": 1.2e-05,
          "cache_creation_input_token_cost_above_1hr_batches": 3e-06,
          "cache_creation_input_token_cost_above_12hr": 9e-05,
          "cache_creation_input_token_cost_above_12hr_above_200k_tokens": 9e-05}}
        """#)
        let price = try #require(result.prices.first)
        #expect(price.rates == TokenRates(
            input: 3_000_000, output: 15_000_000, cacheWrite: 3_750_000, extendedCacheWrite: 6_000_000
        ))
        #expect(price.longContextTiers == [
            LongContextTier(
                aboveInputTokens: 200_000,
                rates: TokenRates(input: 6_000_000, output: 15_000_000, cacheWrite: 7_500_000, extendedCacheWrite: 12_000_000)
            ),
        ])
    }

    /// A tier that states no 1-hour rate bills 1-hour writes at the higher of the base 1-hour
    /// rate and the tier's (filled-in) cache-write rate; with no base 1-hour rate it stays unset.
    @Test(arguments: [
        // The tier states a dearer cache write than the base 1-hour rate: that wins.
        (#""cache_creation_input_token_cost_above_200k_tokens": 2e-05,"#, Int64(20_000_000) as Int64?),
        // The tier states a cheaper cache write: the base 1-hour rate wins.
        (#""cache_creation_input_token_cost_above_200k_tokens": 4e-06,"#, 6_000_000),
        // No tier cache write: it is filled in as max(base 3.75, tier input 8), so 8 beats 6.
        (#""input_cost_per_token_above_200k_tokens": 8e-06,"#, 8_000_000),
        // A stated tier 1-hour rate is kept as stated.
        (#""cache_creation_input_token_cost_above_1hr_above_200k_tokens": 7e-06,"#, 7_000_000),
    ])
    func tierFillsInTheOneHourRate(tierField: String, expected: Int64?) throws {
        let result = try importing(#"""
        {"claude-x": {"litellm_provider": "anthropic", "mode": "chat",
          "input_cost_per_token": 3e-06, "output_cost_per_token": 1.5e-05,
          "cache_creation_input_token_cost": 3.75e-06, "cache_creation_input_token_cost_above_1hr": 6e-06,
          \#(tierField)
          "output_cost_per_token_above_200k_tokens": 2.25e-05}}
        """#)
        let tier = try #require(result.prices.first?.longContextTiers.first)
        #expect(tier.rates.extendedCacheWrite == expected)
    }

    @Test func withoutABaseOneHourRateATierBillsOneHourWritesAsCacheWrites() throws {
        let result = try importing(#"""
        {"claude-x": {"litellm_provider": "anthropic", "mode": "chat",
          "input_cost_per_token": 3e-06, "output_cost_per_token": 1.5e-05,
          "cache_creation_input_token_cost": 3.75e-06,
          "input_cost_per_token_above_200k_tokens": 6e-06}}
        """#)
        let price = try #require(result.prices.first)
        #expect(price.rates.extendedCacheWrite == nil)
        #expect(price.rates.effectiveExtendedCacheWrite == 3_750_000)
        let tier = try #require(price.longContextTiers.first)
        #expect(tier.rates.extendedCacheWrite == nil)
        #expect(tier.rates.effectiveExtendedCacheWrite == 6_000_000)
    }

    @Test func badOneHourRatesAreRejectedNamingTheField() {
        var error = failure(#"""
        {"claude-x": {"litellm_provider": "anthropic", "mode": "chat",
                      "input_cost_per_token": 3e-06, "output_cost_per_token": 1.5e-05,
                      "cache_creation_input_token_cost_above_1hr": -6e-06}}
        """#, .invalidPrice)
        #expect(error?.field == "cache_creation_input_token_cost_above_1hr")
        error = failure(#"""
        {"claude-x": {"litellm_provider": "anthropic", "mode": "chat",
                      "input_cost_per_token": 3e-06, "output_cost_per_token": 1.5e-05,
                      "cache_creation_input_token_cost_above_1hr": 6}}
        """#, .implausiblePrice)
        #expect(error?.field == "cache_creation_input_token_cost_above_1hr")
        error = failure(#"""
        {"claude-x": {"litellm_provider": "anthropic", "mode": "chat",
                      "input_cost_per_token": 3e-06, "output_cost_per_token": 1.5e-05,
                      "cache_creation_input_token_cost_above_1hr_above_200k_tokens": 0.012}}
        """#, .implausiblePrice)
        #expect(error?.field == "cache_creation_input_token_cost_above_1hr_above_200k_tokens")
        error = failure(#"""
        {"claude-x": {"litellm_provider": "anthropic", "mode": "chat",
                      "input_cost_per_token": 3e-06, "output_cost_per_token": 1.5e-05,
                      "cache_creation_input_token_cost_above_1hr": "6e-06"}}
        """#, .invalidPrice)
        #expect(error?.field == "cache_creation_input_token_cost_above_1hr")
    }

    @Test func processingTierRatesAreReadAndMissingOnesAreTheBaseRates() throws {
        let result = try importing(#"""
            {"tiered": {"litellm_provider": "openai", "mode": "chat",
                        "input_cost_per_token": 1e-06, "output_cost_per_token": 4e-06, "cache_read_input_token_cost": 1e-07,
                        "input_cost_per_token_priority": 2e-06, "output_cost_per_token_priority": 8e-06,
                        "input_cost_per_token_flex": 5e-07, "output_cost_per_token_flex": 2e-06, "cache_read_input_token_cost_flex": 5e-08,
                        "output_cost_per_reasoning_token": 5e-06, "input_cost_per_token_batches": 5e-07,
                        "input_cost_per_token_above_200k_tokens": 3e-06, "input_cost_per_token_above_200k_tokens_priority": 6e-06},
             "plain": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 1e-06, "output_cost_per_token": 4e-06}}
            """#)
        let tiered = try #require(result.prices.first { $0.name == "tiered" })
        // No `cache_read_input_token_cost_priority`: priority cache reads bill at the base cache rate.
        // Reasoning: never below the tier's output rate, never below its own base rate.
        #expect(tiered.priorityRates == TokenRates(input: 2_000_000, output: 8_000_000, cachedInput: 100_000, reasoning: 8_000_000))
        #expect(tiered.flexRates == TokenRates(input: 500_000, output: 2_000_000, cachedInput: 50_000, reasoning: 5_000_000))
        // The priority tier's own long-context input rate; its other kinds filled over its rates.
        #expect(tiered.priorityLongContextTiers.map(\.aboveInputTokens) == [200_000])
        #expect(tiered.priorityLongContextTiers.first?.rates.input == 6_000_000)
        #expect(tiered.priorityLongContextTiers.first?.rates.output == 8_000_000)
        #expect(tiered.flexLongContextTiers.isEmpty)
        let plain = try #require(result.prices.first { $0.name == "plain" })
        #expect(plain.priorityRates == nil && plain.flexRates == nil)
    }

    @Test func badProcessingTierRatesAreRejectedNamingTheField() {
        let error = failure(#"""
            {"m": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 1e-06, "output_cost_per_token": 4e-06,
                   "output_cost_per_token_priority": -1e-06}}
            """#, .invalidPrice)
        #expect(error?.field == "output_cost_per_token_priority")
    }

    @Test func floatNoiseIsRoundedSilentlyAndSubPicoPricesAreCounted() throws {
        let result = try importing(#"""
        {"a": {"litellm_provider": "openai", "mode": "chat",
               "input_cost_per_token": 2.9999900000000002e-06, "output_cost_per_token": 0},
         "b": {"litellm_provider": "anthropic", "mode": "chat",
               "input_cost_per_token": 1.5e-13, "output_cost_per_token": 2.5e-12}}
        """#)
        #expect(result.prices.map(\.rates.input) == [2_999_990, 0])
        #expect(result.prices.map(\.rates.output) == [0, 3])
        #expect(result.summary.roundedPriceCount == 2)
    }

    @Test func overflowingNumbersAreRejected() {
        let error = failure(#"""
        {"gpt-4o": {"litellm_provider": "openai", "mode": "chat",
                    "input_cost_per_token": 1e999, "output_cost_per_token": 1e-05}}
        """#, .invalidPrice)
        #expect(error?.field == "input_cost_per_token")
    }

    @Test func negativePricesAreRejectedNamingModelAndField() {
        let error = failure(#"""
        {"gpt-4o": {"litellm_provider": "openai", "mode": "chat",
                    "input_cost_per_token": -2.5e-06, "output_cost_per_token": 1e-05}}
        """#, .invalidPrice)
        #expect(error?.model == "gpt-4o")
        #expect(error?.field == "input_cost_per_token")
        #expect(error?.description.contains("gpt-4o: input_cost_per_token is negative") == true)
    }

    @Test func negativeTierPricesAreRejected() {
        let error = failure(#"""
        {"claude-x": {"litellm_provider": "anthropic", "mode": "chat",
                      "input_cost_per_token": 3e-06, "output_cost_per_token": 1.5e-05,
                      "cache_creation_input_token_cost_above_200k_tokens": -7.5e-06}}
        """#, .invalidPrice)
        #expect(error?.field == "cache_creation_input_token_cost_above_200k_tokens")
    }

    @Test func nonNumericPricesAreRejected() {
        let error = failure(#"""
        {"gpt-4o": {"litellm_provider": "openai", "mode": "chat",
                    "input_cost_per_token": "2.5e-06", "output_cost_per_token": 1e-05}}
        """#, .invalidPrice)
        #expect(error?.message.contains("not a number") == true)
        _ = failure(#"""
        {"gpt-4o": {"litellm_provider": "openai", "mode": "chat",
                    "input_cost_per_token": true, "output_cost_per_token": 1e-05}}
        """#, .invalidPrice)
    }

    @Test func perMillionLookingPricesAreRejected() {
        let error = failure(#"""
        {"gpt-4o": {"litellm_provider": "openai", "mode": "chat",
                    "input_cost_per_token": 2.5, "output_cost_per_token": 10}}
        """#, .implausiblePrice)
        #expect(error?.field == "input_cost_per_token")
    }

    @Test func badTokenLimitsAreRejected() {
        _ = failure(#"""
        {"gpt-4o": {"litellm_provider": "openai", "mode": "chat",
                    "input_cost_per_token": 2.5e-06, "output_cost_per_token": 1e-05, "max_input_tokens": -1}}
        """#, .invalidLimit)
        _ = failure(#"""
        {"gpt-4o": {"litellm_provider": "openai", "mode": "chat",
                    "input_cost_per_token": 2.5e-06, "output_cost_per_token": 1e-05, "max_output_tokens": "lots"}}
        """#, .invalidLimit)
    }

    @Test func outOfScopeEntriesAreNeverValidated() throws {
        // A bad price on an Azure entry or an image model is not Spendwall's business.
        let result = try importing(#"""
        {"azure/gpt-4o": {"litellm_provider": "azure", "mode": "chat", "input_cost_per_token": -1},
         "dall-e-9": {"litellm_provider": "openai", "mode": "image_generation", "input_cost_per_token": "free"},
         "odd": [1, 2, 3],
         "no-provider": {"mode": "chat"}}
        """#)
        #expect(result.prices.isEmpty)
        #expect(result.summary.skippedByReason == [.otherProvider: 2, .unsupportedMode: 1, .notAnObject: 1])
    }

    @Test func malformedFilesAreRejected() {
        _ = failure("not json", .malformedFile)
        _ = failure("[1, 2]", .malformedFile)
        _ = failure("", .malformedFile)
    }

    @Test func missingFilesAreReported() {
        #expect(throws: CatalogError.self) {
            try LiteLLMImporter().importPrices(contentsOf: URL(fileURLWithPath: "/nonexistent/prices.json"))
        }
    }
}
