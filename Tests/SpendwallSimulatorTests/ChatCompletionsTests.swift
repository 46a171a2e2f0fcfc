import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SpendwallCore
@testable import SpendwallSimulator
import Testing

@Suite("OpenAI chat completions")
struct ChatCompletionsTests {
    static let prompt = "Say hello to the budget gateway, please."
    static func body(_ extra: String = "", model: String = "gpt-4o") -> String {
        #"{"model":"\#(model)","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":[{"type":"text","text":"\#(prompt)"}]}]\#(extra)}"#
    }

    @Test func nonStreamingShapeAndUsage() async throws {
        try await withSimulator { simulator, client in
            let response = try await client.post("/v1/chat/completions", Self.body())
            #expect(response.status == .ok)
            #expect(response.headers[.spendwallSimulated] == "true")
            let json = try response.object()
            #expect(json["object"] as? String == "chat.completion")
            let id = try #require(json["id"] as? String)
            #expect(id.hasPrefix("chatcmpl-sim-"))
            #expect(json["model"] as? String == "gpt-4o")
            #expect(json["created"] is Int)
            let content = try #require(string(json, "choices", 0, "message", "content"))
            #expect(content.hasPrefix("[simulated]"))
            #expect(string(json, "choices", 0, "message", "role") == "assistant")
            #expect(string(json, "choices", 0, "finish_reason") == "stop")
            let words = wordCount(content)
            #expect((8...64).contains(words))
            #expect(int(json, "usage", "prompt_tokens") == inputTokens("Be brief." + Self.prompt))
            #expect(int(json, "usage", "completion_tokens") == words)
            #expect(int(json, "usage", "total_tokens") == inputTokens("Be brief." + Self.prompt) + words)
            #expect(int(json, "usage", "prompt_tokens_details", "cached_tokens") == 0)
            #expect(int(json, "usage", "completion_tokens_details", "reasoning_tokens") == 0)

            let call = try #require(simulator.calls.last)
            #expect(call.id == id)
            #expect(call.endpoint == .chatCompletions)
            #expect(call.completed && !call.stream && call.status == 200)
            #expect(call.usage.output == Int64(words))
            #expect(call.usage.input == Int64(inputTokens("Be brief." + Self.prompt)))
        }
    }

    @Test func answersAreDeterministicAndIDsUnique() async throws {
        try await withSimulator { _, client in
            let first = try await client.post("/v1/chat/completions", Self.body()).object()
            let second = try await client.post("/v1/chat/completions", Self.body()).object()
            #expect(string(first, "choices", 0, "message", "content") == string(second, "choices", 0, "message", "content"))
            #expect(string(first, "id") != string(second, "id"))
        }
    }

    @Test(arguments: [1, 3, 7])
    func outputCapIsHonoured(cap: Int) async throws {
        try await withSimulator { _, client in
            for field in ["max_tokens", "max_completion_tokens"] {
                let json = try await client.post("/v1/chat/completions", Self.body(#","\#(field)":\#(cap)"#)).object()
                let content = try #require(string(json, "choices", 0, "message", "content"))
                #expect(wordCount(content) == cap)
                #expect(int(json, "usage", "completion_tokens") == cap)
                #expect(string(json, "choices", 0, "finish_reason") == "length")
            }
        }
    }

    @Test func severalChoicesSumTheirOutput() async throws {
        try await withSimulator { _, client in
            let json = try await client.post("/v1/chat/completions", Self.body(#","n":3"#)).object()
            let choices = try #require(json["choices"] as? [JSONObject])
            #expect(choices.count == 3)
            let words = choices.compactMap { string($0, "message", "content") }.map(wordCount).reduce(0, +)
            #expect(int(json, "usage", "completion_tokens") == words)
            #expect(choices.map { $0["index"] as? Int } == [0, 1, 2])
        }
    }

    @Test func reasoningModelsReportReasoningWithinTheCap() async throws {
        try await withSimulator { simulator, client in
            let json = try await client.post("/v1/chat/completions", Self.body(model: "gpt-5-mini")).object()
            let words = wordCount(try #require(string(json, "choices", 0, "message", "content")))
            let reasoning = try #require(int(json, "usage", "completion_tokens_details", "reasoning_tokens"))
            #expect(reasoning == words / 2)
            #expect(int(json, "usage", "completion_tokens") == words + reasoning)
            #expect(simulator.calls.last?.usage.reasoning == Int64(reasoning))
            #expect(simulator.calls.last?.usage.output == Int64(words))

            let capped = try await client.post("/v1/chat/completions", Self.body(#","max_completion_tokens":9"#, model: "o3")).object()
            #expect(int(capped, "usage", "completion_tokens") == 9)
            #expect(int(capped, "usage", "completion_tokens_details", "reasoning_tokens") == 3)
            #expect(string(capped, "choices", 0, "finish_reason") == "length")
        }
    }

    @Test func cachedTokensHeaderIsClampedToTheInput() async throws {
        try await withSimulator { simulator, client in
            let json = try await client.post("/v1/chat/completions", Self.body(), headers: [.simulatorCachedTokens: "4"]).object()
            let prompt = try #require(int(json, "usage", "prompt_tokens"))
            #expect(int(json, "usage", "prompt_tokens_details", "cached_tokens") == 4)
            #expect(simulator.calls.last?.usage.cachedInput == 4)
            #expect(simulator.calls.last?.usage.input == Int64(prompt - 4))

            let all = try await client.post("/v1/chat/completions", Self.body(), headers: [.simulatorCachedTokens: "100000"]).object()
            #expect(int(all, "usage", "prompt_tokens_details", "cached_tokens") == prompt)
            #expect(simulator.calls.last?.usage.input == 0)
        }
    }

    @Test func streamWithoutIncludeUsageHasNoUsage() async throws {
        try await withSimulator { simulator, client in
            let response = try await client.post("/v1/chat/completions", Self.body(#","stream":true"#))
            #expect(response.headers[.contentType]?.hasPrefix("text/event-stream") == true)
            let events = response.events
            #expect(events.last?.data == "[DONE]")
            let chunks = events.dropLast().compactMap(\.object)
            #expect(chunks.count == events.count - 1)
            #expect(chunks.allSatisfy { $0["object"] as? String == "chat.completion.chunk" && $0["usage"] == nil })
            #expect(string(chunks.first, "choices", 0, "delta", "role") == "assistant")
            let text = chunks.compactMap { string($0, "choices", 0, "delta", "content") }.joined()
            #expect(text.hasPrefix("[simulated]"))
            #expect(string(chunks.last, "choices", 0, "finish_reason") == "stop")
            #expect(Set(chunks.compactMap { $0["id"] as? String }).count == 1)
            let call = try #require(simulator.calls.last)
            #expect(call.stream && call.completed)
            #expect(call.usage.output == Int64(wordCount(text)))
        }
    }

    @Test func streamWithIncludeUsageEndsWithAUsageChunk() async throws {
        try await withSimulator { _, client in
            let body = Self.body(#","stream":true,"stream_options":{"include_usage":true},"max_tokens":12"#)
            let events = try await client.post("/v1/chat/completions", body).events
            #expect(events.last?.data == "[DONE]")
            let chunks = events.dropLast().compactMap(\.object)
            let usageChunk = try #require(chunks.last)
            #expect((usageChunk["choices"] as? [Any])?.isEmpty == true)
            for chunk in chunks.dropLast() {
                #expect(chunk["usage"] is NSNull)
            }
            let text = chunks.compactMap { string($0, "choices", 0, "delta", "content") }.joined()
            #expect(wordCount(text) == 12)
            #expect(int(usageChunk, "usage", "completion_tokens") == 12)
            #expect(int(usageChunk, "usage", "prompt_tokens") == inputTokens("Be brief." + Self.prompt))
            #expect(string(chunks[chunks.count - 2], "choices", 0, "finish_reason") == "length")
        }
    }

    @Test func streamWithSeveralChoicesCoversEachIndex() async throws {
        try await withSimulator { _, client in
            let body = Self.body(#","stream":true,"n":2,"stream_options":{"include_usage":true}"#)
            let chunks = try await client.post("/v1/chat/completions", body).events.compactMap(\.object)
            var texts = ["", ""]
            for chunk in chunks {
                guard let index = int(chunk, "choices", 0, "index"), let content = string(chunk, "choices", 0, "delta", "content") else { continue }
                texts[index] += content
            }
            #expect(texts.allSatisfy { $0.hasPrefix("[simulated]") })
            #expect(int(chunks.last, "usage", "completion_tokens") == texts.map(wordCount).reduce(0, +))
        }
    }

    @Test func invalidBodyIsAnOpenAIError() async throws {
        try await withSimulator { simulator, client in
            let response = try await client.post("/v1/chat/completions", #"{"messages":[]}"#)
            #expect(response.status == .badRequest)
            #expect(string(try response.object(), "error", "type") == "invalid_request_error")
            #expect(simulator.calls.last?.status == 400)
        }
    }

    @Test func modelsAreListed() async throws {
        try await withSimulator { _, client in
            let response = try await client.executeRequest(uri: "/v1/models", method: .get, headers: [:], body: nil)
            let json = try response.object()
            #expect(json["object"] as? String == "list")
            #expect((json["data"] as? [JSONObject])?.first?["object"] as? String == "model")
        }
    }
}
