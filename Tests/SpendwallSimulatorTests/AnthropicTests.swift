import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SpendwallCore
@testable import SpendwallSimulator
import Testing

@Suite("Anthropic messages")
struct AnthropicTests {
    static let body = #"{"model":"claude-sonnet-4-5","max_tokens":1024,"system":"You are terse.","messages":[{"role":"user","content":"Hello, Claude"},{"role":"assistant","content":[{"type":"text","text":"Hi"}]},{"role":"user","content":[{"type":"text","text":"Count the cost."}]}]}"#
    static let input = inputTokens("You are terse." + "Hello, Claude" + "Hi" + "Count the cost.")

    @Test func nonStreamingShapeAndUsage() async throws {
        try await withSimulator { simulator, client in
            let response = try await client.post("/v1/messages", Self.body)
            #expect(response.headers[.spendwallSimulated] == "true")
            let json = try response.object()
            let id = try #require(json["id"] as? String)
            #expect(id.hasPrefix("msg_sim"))
            #expect(json["type"] as? String == "message")
            #expect(json["role"] as? String == "assistant")
            #expect(json["model"] as? String == "claude-sonnet-4-5")
            #expect(json["stop_reason"] as? String == "end_turn")
            #expect(json["stop_sequence"] is NSNull)
            #expect(string(json, "content", 0, "type") == "text")
            let text = try #require(string(json, "content", 0, "text"))
            #expect(text.hasPrefix("[simulated]"))
            #expect(int(json, "usage", "input_tokens") == Self.input)
            #expect(int(json, "usage", "output_tokens") == wordCount(text))
            #expect(int(json, "usage", "cache_creation_input_tokens") == 0)
            #expect(int(json, "usage", "cache_read_input_tokens") == 0)
            let call = try #require(simulator.calls.last)
            #expect(call.id == id && call.endpoint == .messages && call.completed)
            #expect(call.usage == .init(input: Int64(Self.input), output: Int64(wordCount(text))))
        }
    }

    @Test func cacheHeadersSplitTheInputDisjointly() async throws {
        try await withSimulator { simulator, client in
            let json = try await client.post("/v1/messages", Self.body, headers: [.simulatorCachedTokens: "3", .simulatorCacheWriteTokens: "2"]).object()
            #expect(int(json, "usage", "cache_read_input_tokens") == 3)
            #expect(int(json, "usage", "cache_creation_input_tokens") == 2)
            #expect(int(json, "usage", "input_tokens") == Self.input - 5)
            let usage = try #require(simulator.calls.last?.usage)
            #expect(usage.input == Int64(Self.input - 5) && usage.cachedInput == 3 && usage.cacheWrite == 2)
        }
    }

    @Test func maxTokensCapsTheAnswer() async throws {
        try await withSimulator { _, client in
            let json = try await client.post("/v1/messages", #"{"model":"claude-haiku-4-5","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}"#).object()
            #expect(json["stop_reason"] as? String == "max_tokens")
            #expect(int(json, "usage", "output_tokens") == 5)
            #expect(wordCount(try #require(string(json, "content", 0, "text"))) == 5)
        }
    }

    @Test func streamEmitsTheEventSequence() async throws {
        try await withSimulator { simulator, client in
            let streaming = Self.body.replacingOccurrences(of: #""max_tokens":1024"#, with: #""max_tokens":1024,"stream":true"#)
            let response = try await client.post("/v1/messages", streaming)
            #expect(response.headers[.contentType]?.hasPrefix("text/event-stream") == true)
            let events = response.events
            let names = events.compactMap(\.name)
            #expect(names.count == events.count)
            #expect(Array(names.prefix(3)) == ["message_start", "content_block_start", "ping"])
            #expect(Array(names.suffix(3)) == ["content_block_stop", "message_delta", "message_stop"])
            let objects = events.compactMap(\.object)
            #expect(zip(names, objects).allSatisfy { $0 == $1["type"] as? String })
            #expect(int(objects[0], "message", "usage", "input_tokens") == Self.input)
            #expect(int(objects[0], "message", "usage", "output_tokens") == 1)
            let deltas = objects.filter { $0["type"] as? String == "content_block_delta" }
            #expect(deltas.allSatisfy { string($0, "delta", "type") == "text_delta" })
            let text = deltas.compactMap { string($0, "delta", "text") }.joined()
            #expect(text.hasPrefix("[simulated]"))
            #expect(deltas.count == wordCount(text))
            let messageDelta = objects[objects.count - 2]
            #expect(string(messageDelta, "delta", "stop_reason") == "end_turn")
            #expect(int(messageDelta, "usage", "output_tokens") == wordCount(text))
            #expect(simulator.calls.last?.usage.output == Int64(wordCount(text)))
            #expect(simulator.calls.last?.completed == true)
        }
    }

    @Test func countTokens() async throws {
        try await withSimulator { simulator, client in
            let json = try await client.post("/v1/messages/count_tokens", Self.body).object()
            #expect(json.count == 1)
            #expect(int(json, "input_tokens") == Self.input)
            #expect(simulator.calls.last?.endpoint == .countTokens)
            #expect(simulator.calls.last?.usage == .zero)
        }
    }
}
