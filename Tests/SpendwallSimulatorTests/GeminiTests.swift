import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SpendwallCore
@testable import SpendwallSimulator
import Testing

@Suite("Gemini generateContent")
struct GeminiTests {
    static let body = #"{"systemInstruction":{"parts":[{"text":"Be kind."}]},"contents":[{"role":"user","parts":[{"text":"Explain budgets."}]}]}"#
    static let input = inputTokens("Be kind." + "Explain budgets.")

    @Test func nonStreamingShapeAndUsage() async throws {
        try await withSimulator { simulator, client in
            let json = try await client.post("/v1beta/models/gemini-2.5-flash:generateContent", Self.body, headers: [.simulatorCachedTokens: "2"]).object()
            let text = try #require(string(json, "candidates", 0, "content", "parts", 0, "text"))
            #expect(text.hasPrefix("[simulated]"))
            #expect(string(json, "candidates", 0, "content", "role") == "model")
            #expect(string(json, "candidates", 0, "finishReason") == "STOP")
            #expect(int(json, "usageMetadata", "promptTokenCount") == Self.input)
            #expect(int(json, "usageMetadata", "candidatesTokenCount") == wordCount(text))
            #expect(int(json, "usageMetadata", "totalTokenCount") == Self.input + wordCount(text))
            #expect(int(json, "usageMetadata", "cachedContentTokenCount") == 2)
            #expect(value(json, "usageMetadata", "thoughtsTokenCount") == nil)
            #expect(json["modelVersion"] as? String == "gemini-2.5-flash")
            let id = try #require(json["responseId"] as? String)
            let call = try #require(simulator.calls.last)
            #expect(call.id == id && call.model == "gemini-2.5-flash" && call.endpoint == .generateContent && !call.stream)
            #expect(call.usage == .init(input: Int64(Self.input - 2), cachedInput: 2, output: Int64(wordCount(text))))
        }
    }

    @Test func candidateCountAndMaxOutputTokens() async throws {
        try await withSimulator { _, client in
            let body = #"{"contents":[{"parts":[{"text":"hi"}]}],"generationConfig":{"candidateCount":2,"maxOutputTokens":6}}"#
            let json = try await client.post("/v1beta/models/gemini-2.5-flash:generateContent", body).object()
            let candidates = try #require(json["candidates"] as? [JSONObject])
            #expect(candidates.count == 2)
            #expect(candidates.allSatisfy { $0["finishReason"] as? String == "MAX_TOKENS" })
            #expect(int(json, "usageMetadata", "candidatesTokenCount") == 12)
        }
    }

    @Test func reasoningPrefixesAddThoughts() async throws {
        var config = SimulatorConfig()
        config.reasoningModelPrefixes.append("gemini-2.5")
        try await withSimulator(config) { _, client in
            let json = try await client.post("/v1beta/models/gemini-2.5-pro:generateContent", Self.body).object()
            let words = wordCount(try #require(string(json, "candidates", 0, "content", "parts", 0, "text")))
            #expect(int(json, "usageMetadata", "thoughtsTokenCount") == words / 2)
            #expect(int(json, "usageMetadata", "totalTokenCount") == Self.input + words + words / 2)
        }
    }

    @Test func sseStream() async throws {
        try await withSimulator { simulator, client in
            let response = try await client.post("/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", Self.body)
            #expect(response.headers[.contentType]?.hasPrefix("text/event-stream") == true)
            let chunks = response.events.compactMap(\.object)
            #expect(chunks.count == response.events.count)
            let text = chunks.compactMap { string($0, "candidates", 0, "content", "parts", 0, "text") }.joined()
            #expect(text.hasPrefix("[simulated]"))
            #expect(chunks.count == wordCount(text))
            #expect(chunks.allSatisfy { int($0, "usageMetadata", "promptTokenCount") == Self.input })
            #expect(chunks.dropLast().allSatisfy { value($0, "candidates", 0, "finishReason") == nil })
            #expect(string(chunks.last, "candidates", 0, "finishReason") == "STOP")
            #expect(int(chunks.last, "usageMetadata", "candidatesTokenCount") == wordCount(text))
            #expect(simulator.calls.last?.endpoint == .streamGenerateContent)
            #expect(simulator.calls.last?.usage.output == Int64(wordCount(text)))
        }
    }

    @Test func jsonArrayStream() async throws {
        try await withSimulator { _, client in
            let response = try await client.post("/v1beta/models/gemini-2.5-flash:streamGenerateContent", Self.body)
            #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
            let array = try #require(JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [JSONObject])
            let text = array.compactMap { string($0, "candidates", 0, "content", "parts", 0, "text") }.joined()
            #expect(array.count == wordCount(text))
            #expect(string(array.last, "candidates", 0, "finishReason") == "STOP")
        }
    }

    @Test func unknownActionIs404() async throws {
        try await withSimulator { _, client in
            let response = try await client.post("/v1beta/models/gemini-2.5-flash:embedEverything", Self.body)
            #expect(response.status == .notFound)
            #expect(string(try response.object(), "error", "status") == "NOT_FOUND")
        }
    }
}
