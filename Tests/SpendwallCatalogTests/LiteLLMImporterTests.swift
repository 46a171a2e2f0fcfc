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
        #expect(price.rates == TokenRates(input: 1_250_000, output: 10_000_000, cachedInput: 125_000, reasoning: 12_000_000))
        #expect(price.longContextTiers == [
            // Only input is tiered above 128k: output keeps the base rate, cache reads bill at
            // the tier's input rate, reasoning at least the base reasoning rate.
            LongContextTier(
                aboveInputTokens: 128_000,
                rates: TokenRates(input: 2_000_000, output: 10_000_000, cachedInput: 2_000_000, reasoning: 12_000_000)
            ),
            LongContextTier(
                aboveInputTokens: 272_000,
                rates: TokenRates(input: 2_500_000, output: 15_000_000, cachedInput: 250_000, reasoning: 15_000_000)
            ),
        ])
        #expect(price.maxInputTokens == 400_000)
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
