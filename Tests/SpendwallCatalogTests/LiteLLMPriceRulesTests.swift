@testable import SpendwallCatalog
import Testing

@Suite("Converting LiteLLM float prices")
struct LiteLLMPriceRulesTests {
    @Test(arguments: [Double.nan, .infinity, -.infinity, -1e-6, -.leastNonzeroMagnitude])
    func rejectsNonFiniteAndNegativePrices(value: Double) {
        #expect {
            _ = try LiteLLMPriceRules.picodollars(usdPerToken: value, model: "m", field: "input_cost_per_token")
        } throws: { error in
            let error = error as? CatalogError
            return error?.code == .invalidPrice && error?.model == "m" && error?.field == "input_cost_per_token"
        }
    }

    @Test func convertsExactlyAndFlagsOnlyRealRounding() throws {
        let convert = { (value: Double) in
            try LiteLLMPriceRules.picodollars(usdPerToken: value, model: "m", field: "f")
        }
        #expect(try convert(2.5e-06) == (2_500_000, false))
        #expect(try convert(1e-05) == (10_000_000, false))
        #expect(try convert(6e-4) == (600_000_000, false))
        #expect(try convert(-0.0) == (0, false))
        #expect(try convert(2.9999900000000002e-06) == (2_999_990, false))
        #expect(try convert(1.5e-12) == (2, true))   // half a pico rounds away from zero
        #expect(try convert(1.4e-12) == (1, true))
    }

    @Test func hugeValuesAreImplausibleNotATrap() {
        #expect(throws: CatalogError.self) {
            _ = try LiteLLMPriceRules.picodollars(usdPerToken: 1e300, model: "m", field: "f")
        }
    }

    @Test(arguments: [
        ("input_cost_per_token_above_200k_tokens", LiteLLMPriceRules.PriceField.input, Int64(200_000)),
        ("output_cost_per_token_above_272k_tokens", .output, 272_000),
        ("cache_read_input_token_cost_above_128k_tokens", .cachedInput, 128_000),
        ("cache_creation_input_token_cost_above_200k_tokens", .cacheWrite, 200_000),
        ("cache_creation_input_token_cost_above_1hr_above_100k_tokens", .extendedCacheWrite, 100_000),
        ("cache_creation_input_token_cost_above_1hr_above_200k_tokens", .extendedCacheWrite, 200_000),
    ])
    func readsTierFieldNames(name: String, field: LiteLLMPriceRules.PriceField, above: Int64) throws {
        let parsed = try #require(UpstreamPriceFile.tierField(name))
        #expect(parsed.0 == field)
        #expect(parsed.1 == above)
    }

    @Test(arguments: [
        "cache_creation_input_token_cost_above_1hr",
        "cache_creation_input_token_cost_above_12hr_above_272k_tokens",
        "cache_creation_input_token_cost_above_1hr_above_100k_tokens_batches",
        "input_cost_per_token_above_272k_tokens_priority",
        "_above_200k_tokens",
        "input_cost_per_character_above_128k_tokens",
        "input_cost_per_token_above_k_tokens",
        "input_cost_per_token_above_-5k_tokens",
        "input_cost_per_token",
    ])
    func ignoresOtherFields(name: String) {
        #expect(UpstreamPriceFile.tierField(name) == nil)
    }
}
