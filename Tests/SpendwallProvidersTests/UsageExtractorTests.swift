import NIOCore
import SpendwallCore
import SpendwallProviders
import Testing

@Suite struct UsageExtractorTests {
    func extract(_ body: String, _ endpoint: Endpoint) -> ExtractedResponse? {
        UsageExtractor.fromResponseBody(buffer(body), endpoint: endpoint)
    }

    @Test func openaiChatSplitsCachedAndReasoning() {
        let result = extract(Fixtures.openaiChatResponse, .openaiChatCompletions)
        #expect(result == ExtractedResponse(
            usage: TokenUsage(input: 93, cachedInput: 1024, output: 36, reasoning: 10),
            responseID: "chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG",
            model: "gpt-4o-2024-08-06",
            serviceTier: "default"
        ))
    }

    @Test func openaiServiceTierIsReported() {
        #expect(extract(Fixtures.openaiChatResponse, .openaiChatCompletions)?.serviceTier == "default")
        let priority = #"{"id":"r","model":"gpt-4o","service_tier":"priority","usage":{"input_tokens":5,"output_tokens":2}}"#
        #expect(extract(priority, .openaiResponses)?.serviceTier == "priority")
        #expect(extract(#"{"usage":{"prompt_tokens":1,"completion_tokens":1}}"#, .openaiChatCompletions)?.serviceTier == nil)
    }

    @Test func openaiResponses() {
        let result = extract(Fixtures.openaiResponsesResponse, .openaiResponses)
        #expect(result?.usage == TokenUsage(input: 200, cachedInput: 128, output: 52, reasoning: 800))
        #expect(result?.responseID == "resp_67ccd3a9da748190baa7f1570fe91ac604becb25c45c1d41")
        #expect(result?.model == "o3-2025-04-16")
    }

    @Test func openaiEmbeddings() {
        let result = extract(Fixtures.openaiEmbeddingsResponse, .openaiEmbeddings)
        #expect(result?.usage == TokenUsage(input: 8))
        #expect(result?.responseID == nil)
        #expect(result?.model == "text-embedding-3-small")
    }

    @Test func anthropicCacheReadsAndWrites() {
        let result = extract(Fixtures.anthropicResponse, .anthropicMessages)
        #expect(result?.usage == TokenUsage(input: 21, cachedInput: 1500, cacheWrite: 188_086, output: 393))
        #expect(result?.responseID == "msg_013Zva2CMHLNnXjNJJKqJ2EF")
        #expect(result?.usage.totalInput == Int64(21 + 1500 + 188_086))
    }

    @Test func anthropicOneHourCacheWritesAreExtended() {
        let result = extract(Fixtures.anthropicExtendedCacheResponse, .anthropicMessages)
        #expect(result?.usage == TokenUsage(input: 2095, cacheWrite: 0, extendedCacheWrite: 2051, output: 503))
        #expect(result?.responseID == "msg_01ExtCache1h")
        #expect(result?.usage.totalInput == Int64(2095 + 2051))
    }

    @Test func anthropicWithoutCacheSplitKeepsTheTotalInCacheWrite() {
        let result = extract(Fixtures.anthropicResponseWithoutCacheSplit, .anthropicMessages)
        #expect(result?.usage == TokenUsage(input: 12, cachedInput: 40, cacheWrite: 1800, output: 6))
    }

    @Test func anthropicCacheSplitDisagreeingWithTheTotal() {
        func usage(_ json: String) -> TokenUsage? {
            extract(#"{"usage":\#(json)}"#, .anthropicMessages)?.usage
        }
        // Both parts.
        #expect(usage(#"{"input_tokens":1,"cache_creation_input_tokens":30,"cache_creation":{"ephemeral_5m_input_tokens":10,"ephemeral_1h_input_tokens":20},"output_tokens":2}"#)
            == TokenUsage(input: 1, cacheWrite: 10, extendedCacheWrite: 20, output: 2))
        // The split falls short of the total: the rest is a 5-minute write, never lost.
        #expect(usage(#"{"input_tokens":1,"cache_creation_input_tokens":50,"cache_creation":{"ephemeral_5m_input_tokens":10,"ephemeral_1h_input_tokens":20},"output_tokens":2}"#)
            == TokenUsage(input: 1, cacheWrite: 30, extendedCacheWrite: 20, output: 2))
        // Only the 1-hour part given.
        #expect(usage(#"{"input_tokens":1,"cache_creation_input_tokens":50,"cache_creation":{"ephemeral_1h_input_tokens":20},"output_tokens":2}"#)
            == TokenUsage(input: 1, cacheWrite: 30, extendedCacheWrite: 20, output: 2))
        // The split exceeds the total (or the total is missing): the split is used, nothing doubled.
        #expect(usage(#"{"input_tokens":1,"cache_creation_input_tokens":5,"cache_creation":{"ephemeral_5m_input_tokens":10,"ephemeral_1h_input_tokens":20},"output_tokens":2}"#)
            == TokenUsage(input: 1, cacheWrite: 10, extendedCacheWrite: 20, output: 2))
        #expect(usage(#"{"input_tokens":1,"cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":20},"output_tokens":2}"#)
            == TokenUsage(input: 1, extendedCacheWrite: 20, output: 2))
        // Negative or null parts are ignored, and a null split is no split.
        #expect(usage(#"{"input_tokens":1,"cache_creation_input_tokens":40,"cache_creation":{"ephemeral_5m_input_tokens":-7,"ephemeral_1h_input_tokens":null},"output_tokens":2}"#)
            == TokenUsage(input: 1, cacheWrite: 40, output: 2))
        #expect(usage(#"{"input_tokens":1,"cache_creation_input_tokens":40,"cache_creation":null,"output_tokens":2}"#)
            == TokenUsage(input: 1, cacheWrite: 40, output: 2))
        #expect(usage(#"{"input_tokens":1,"cache_creation_input_tokens":40,"cache_creation":{},"output_tokens":2}"#)
            == TokenUsage(input: 1, cacheWrite: 40, output: 2))
    }

    @Test func geminiThoughtsCachedAndToolUse() {
        let result = extract(Fixtures.geminiResponse, .geminiGenerateContent)
        #expect(result?.usage == TokenUsage(input: 207, cachedInput: 1000, output: 300, reasoning: 500))
        #expect(result?.responseID == "mAitaLmkHPPlz7IPvtfUqQ4")
        #expect(result?.model == "gemini-2.5-flash")
        #expect(result?.usage.totalInput == 1207)
    }

    @Test func geminiArrayBodyUsesTheLastUsage() {
        let result = extract(Fixtures.geminiArrayStream, .geminiStreamGenerateContent)
        #expect(result?.usage == TokenUsage(input: 6, cachedInput: 2, output: 6, reasoning: 50))
        #expect(result?.responseID == "arr-1")
    }

    @Test func errorBodiesAndOddInputsHaveNoUsage() {
        #expect(extract(Fixtures.openaiErrorBody, .openaiChatCompletions) == nil)
        #expect(extract(Fixtures.anthropicErrorBody, .anthropicMessages) == nil)
        #expect(extract(Fixtures.geminiErrorBody, .geminiGenerateContent) == nil)
        #expect(extract(#"{"input_tokens":2095}"#, .anthropicCountTokens) == nil)
        #expect(extract("not json", .openaiChatCompletions) == nil)
        #expect(extract(#"{"usage":null}"#, .openaiChatCompletions) == nil)
    }

    @Test func inconsistentCountsNeverGoNegative() {
        let result = extract(#"{"usage":{"prompt_tokens":5,"completion_tokens":1,"prompt_tokens_details":{"cached_tokens":9},"completion_tokens_details":{"reasoning_tokens":4}}}"#, .openaiChatCompletions)
        #expect(result?.usage.isValid == true)
        #expect(result?.usage == TokenUsage(input: 0, cachedInput: 9, output: 0, reasoning: 4))
    }
}
