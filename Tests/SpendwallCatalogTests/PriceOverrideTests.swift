import Foundation
import SpendwallCatalog
import SpendwallCore
import Testing

@Suite("Operator price overrides")
struct PriceOverrideTests {
    func input(_ text: String) throws -> Int64 {
        try PriceOverride(model: "m", provider: .openai, inputPerMillion: text, outputPerMillion: "0")
            .makeModelPrice().rates.input
    }

    @Test(arguments: [
        ("2.50", Int64(2_500_000)),
        ("0.50", 500_000),
        ("0.5", 500_000),
        ("1.50", 1_500_000),
        ("0", 0),
        ("0.0", 0),
        ("10", 10_000_000),
        ("0.000001", 1),
        ("600", 600_000_000),
        (" 3.75 ", 3_750_000),
        ("007.000000", 7_000_000),
        ("9223372036854.775807", Int64.max),
    ])
    func convertsDollarsPerMillionExactly(text: String, picos: Int64) throws {
        #expect(try input(text) == picos)
    }

    @Test(arguments: [
        "-1", "-0.5", "abc", "1e-3", "1E3", "0.0000001", "1.2345678", "", "   ", "1.2.3", "+1", "1,5",
        "$2.50", ".5", "2.", "١", "9223372036854.775808", "99999999999999999999",
    ])
    func rejectsAnythingElse(text: String) {
        #expect {
            _ = try input(text)
        } throws: { error in
            let error = error as? CatalogError
            return error?.code == .invalidPrice && error?.model == "m" && error?.field == "input_per_million"
        }
    }

    @Test func messagesSayWhatIsWrong() {
        do {
            _ = try input("0.0000001")
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("more than 6 decimal places"))
        }
        do {
            _ = try input("-1")
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("must not be negative"))
        }
    }

    @Test func decodesTheConfigurationShape() throws {
        let json = #"""
        {"model": "my-finetune", "provider": "anthropic", "mode": "chat",
         "input_per_million": "3", "output_per_million": "15",
         "cached_input_per_million": "0.30", "cache_write_per_million": "3.75",
         "extended_cache_write_per_million": "6.000001",
         "reasoning_per_million": "15.00", "max_input_tokens": 200000, "max_output_tokens": 64000}
        """#
        let override = try JSONDecoder().decode(PriceOverride.self, from: Data(json.utf8))
        #expect(override.extendedCacheWritePerMillion == "6.000001")
        let price = try override.makeModelPrice()
        #expect(price == ModelPrice(
            name: "my-finetune",
            provider: .anthropic,
            mode: .chat,
            rates: TokenRates(
                input: 3_000_000, output: 15_000_000, cachedInput: 300_000, cacheWrite: 3_750_000,
                extendedCacheWrite: 6_000_001, reasoning: 15_000_000
            ),
            maxInputTokens: 200_000,
            maxOutputTokens: 64_000
        ))
    }

    @Test func modeDefaultsToChatAndOptionalRatesStayUnset() throws {
        let json = #"{"model": "m", "provider": "gemini", "input_per_million": "0.10", "output_per_million": "0.40"}"#
        let price = try JSONDecoder().decode(PriceOverride.self, from: Data(json.utf8)).makeModelPrice()
        #expect(price.mode == .chat)
        #expect(price.rates == TokenRates(input: 100_000, output: 400_000))
        #expect(price.rates.extendedCacheWrite == nil)
        #expect(price.maxOutputTokens == nil)
    }

    @Test func oneHourCacheWriteRateAloneFallsBackToNothingElse() throws {
        let json = #"""
        {"model": "m", "provider": "anthropic", "input_per_million": "3", "output_per_million": "15",
         "extended_cache_write_per_million": "6"}
        """#
        let price = try JSONDecoder().decode(PriceOverride.self, from: Data(json.utf8)).makeModelPrice()
        #expect(price.rates == TokenRates(input: 3_000_000, output: 15_000_000, extendedCacheWrite: 6_000_000))
        #expect(price.rates.effectiveCacheWrite == 3_000_000)
        #expect(price.rates.effectiveExtendedCacheWrite == 6_000_000)
    }

    @Test(arguments: [#""6e-6""#, #""-6""#, "6", #""6.0000001""#, #""abc""#])
    func badOneHourCacheWriteRatesAreRejected(value: String) {
        let json = #"""
        {"model": "m", "provider": "anthropic", "input_per_million": "3", "output_per_million": "15",
         "extended_cache_write_per_million": \#(value)}
        """#
        #expect {
            _ = try JSONDecoder().decode(PriceOverride.self, from: Data(json.utf8))
        } throws: { error in
            let error = error as? CatalogError
            return error?.code == .invalidPrice && error?.model == "m" && error?.field == "extended_cache_write_per_million"
        }
    }

    @Test func processingTierRatesAreOptionalAndFallBackToTheStandardOnes() throws {
        let json = #"""
        {"model": "m", "provider": "openai", "input_per_million": "1", "output_per_million": "4", "cached_input_per_million": "0.1",
         "priority": {"input_per_million": "2", "output_per_million": "8"}, "flex": {"cached_input_per_million": "0.05"}}
        """#
        let override = try JSONDecoder().decode(PriceOverride.self, from: Data(json.utf8))
        let price = try override.makeModelPrice()
        #expect(price.priorityRates == TokenRates(input: 2_000_000, output: 8_000_000, cachedInput: 100_000))
        #expect(price.flexRates == TokenRates(input: 1_000_000, output: 4_000_000, cachedInput: 50_000))
        #expect(try JSONDecoder().decode(PriceOverride.self, from: JSONEncoder().encode(override)) == override)
        let plain = try JSONDecoder().decode(PriceOverride.self, from: Data(#"{"model": "m", "provider": "openai", "input_per_million": "1", "output_per_million": "4"}"#.utf8))
        #expect(try plain.makeModelPrice().priorityRates == nil)
    }

    @Test(arguments: [(#"{"input_per_million": 2}"#, "priority"), (#"{"input_per_million": "-2"}"#, "priority.input_per_million"), (#""2""#, "priority")])
    func badProcessingTierRatesAreRejectedNamingTheField(tier: String, field: String) {
        let json = #"{"model": "m", "provider": "openai", "input_per_million": "1", "output_per_million": "4", "priority": \#(tier)}"#
        #expect {
            _ = try JSONDecoder().decode(PriceOverride.self, from: Data(json.utf8))
        } throws: { error in
            let error = error as? CatalogError
            return error?.code == .invalidPrice && error?.model == "m" && error?.field == field
        }
    }

    @Test func roundTripsThroughJSON() throws {
        let override = PriceOverride(
            model: "m", provider: .openai, mode: .embedding, inputPerMillion: "0.02", outputPerMillion: "0",
            maxInputTokens: 8191
        )
        let data = try JSONEncoder().encode(override)
        #expect(String(decoding: data, as: UTF8.self).contains("\"input_per_million\":\"0.02\""))
        #expect(try JSONDecoder().decode(PriceOverride.self, from: data) == override)
        let anthropic = PriceOverride(
            model: "c", provider: .anthropic, inputPerMillion: "3", outputPerMillion: "15",
            cacheWritePerMillion: "3.75", extendedCacheWritePerMillion: "6"
        )
        let encoded = try JSONEncoder().encode(anthropic)
        #expect(String(decoding: encoded, as: UTF8.self).contains("\"extended_cache_write_per_million\":\"6\""))
        #expect(try JSONDecoder().decode(PriceOverride.self, from: encoded) == anthropic)
    }

    @Test(arguments: [
        (#"{"provider": "openai", "input_per_million": "1", "output_per_million": "1"}"#, CatalogError.Code.missingField),
        (#"{"model": " ", "provider": "openai", "input_per_million": "1", "output_per_million": "1"}"#, .missingField),
        (#"{"model": "m", "provider": "openai", "output_per_million": "1"}"#, .missingField),
        (#"{"model": "m", "provider": "azure", "input_per_million": "1", "output_per_million": "1"}"#, .unsupportedModel),
        (#"{"model": "m", "provider": "openai", "mode": "image_generation", "input_per_million": "1", "output_per_million": "1"}"#, .unsupportedModel),
        (#"{"model": "m", "provider": "openai", "input_per_million": 2.5, "output_per_million": "1"}"#, .invalidPrice),
        (#"{"model": "m", "provider": "openai", "input_per_million": "-2.5", "output_per_million": "1"}"#, .invalidPrice),
        (#"{"model": "m", "provider": "openai", "input_per_million": "1", "output_per_million": "1", "cached_input_per_million": "abc"}"#, .invalidPrice),
        (#"{"model": "m", "provider": "openai", "input_per_million": "1", "output_per_million": "1", "max_output_tokens": -5}"#, .invalidLimit),
        (#"{"model": "m", "provider": "openai", "input_per_million": "1", "output_per_million": "1", "max_output_tokens": 1.5}"#, .invalidLimit),
    ])
    func decodingValidates(json: String, code: CatalogError.Code) {
        #expect {
            _ = try JSONDecoder().decode(PriceOverride.self, from: Data(json.utf8))
        } throws: { error in
            (error as? CatalogError)?.code == code
        }
    }
}
