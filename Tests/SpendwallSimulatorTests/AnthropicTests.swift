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
            #expect(int(json, "usage", "cache_creation", "ephemeral_5m_input_tokens") == 0)
            #expect(int(json, "usage", "cache_creation", "ephemeral_1h_input_tokens") == 0)
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
            #expect(int(json, "usage", "cache_creation", "ephemeral_5m_input_tokens") == 2)
            #expect(int(json, "usage", "cache_creation", "ephemeral_1h_input_tokens") == 0)
            let usage = try #require(simulator.calls.last?.usage)
            #expect(usage.input == Int64(Self.input - 5) && usage.cachedInput == 3 && usage.cacheWrite == 2)
            #expect(usage.extendedCacheWrite == 0)
        }
    }

    @Test func extendedCacheWriteHeaderReportsOneHourWrites() async throws {
        try await withSimulator { simulator, client in
            let headers: HTTPFields = [.simulatorCachedTokens: "3", .simulatorCacheWriteTokens: "2", .simulatorExtendedCacheWriteTokens: "4"]
            let json = try await client.post("/v1/messages", Self.body, headers: headers).object()
            #expect(int(json, "usage", "cache_read_input_tokens") == 3)
            #expect(int(json, "usage", "cache_creation_input_tokens") == 6)
            #expect(int(json, "usage", "cache_creation", "ephemeral_5m_input_tokens") == 2)
            #expect(int(json, "usage", "cache_creation", "ephemeral_1h_input_tokens") == 4)
            #expect(int(json, "usage", "input_tokens") == Self.input - 9)
            let text = try #require(string(json, "content", 0, "text"))
            let call = try #require(simulator.calls.last)
            #expect(call.usage == TokenUsage(
                input: Int64(Self.input - 9), cachedInput: 3, cacheWrite: 2, extendedCacheWrite: 4, output: Int64(wordCount(text))
            ))
            #expect(call.usage.totalInput == Int64(Self.input))
            #expect(simulator.usageByModel["claude-sonnet-4-5"]?.usage.extendedCacheWrite == 4)

            // Only a 1-hour write: the 5-minute part is zero.
            let only = try await client.post("/v1/messages", Self.body, headers: [.simulatorExtendedCacheWriteTokens: "5"]).object()
            #expect(int(only, "usage", "cache_creation_input_tokens") == 5)
            #expect(int(only, "usage", "cache_creation", "ephemeral_5m_input_tokens") == 0)
            #expect(int(only, "usage", "cache_creation", "ephemeral_1h_input_tokens") == 5)
            #expect(simulator.calls.last?.usage.cacheWrite == 0 && simulator.calls.last?.usage.extendedCacheWrite == 5)
            #expect(simulator.usageByModel["claude-sonnet-4-5"]?.usage.extendedCacheWrite == 9)
        }
    }

    @Test func extendedCacheWriteIsClampedToTheRemainingInput() async throws {
        try await withSimulator { simulator, client in
            let headers: HTTPFields = [.simulatorCachedTokens: "3", .simulatorCacheWriteTokens: "2", .simulatorExtendedCacheWriteTokens: "100000"]
            let json = try await client.post("/v1/messages", Self.body, headers: headers).object()
            #expect(int(json, "usage", "input_tokens") == 0)
            #expect(int(json, "usage", "cache_creation", "ephemeral_5m_input_tokens") == 2)
            #expect(int(json, "usage", "cache_creation", "ephemeral_1h_input_tokens") == Self.input - 5)
            #expect(int(json, "usage", "cache_creation_input_tokens") == Self.input - 3)
            let usage = try #require(simulator.calls.last?.usage)
            #expect(usage.input == 0 && usage.cachedInput == 3 && usage.cacheWrite == 2)
            #expect(usage.extendedCacheWrite == Int64(Self.input - 5))
            #expect(usage.isValid && usage.totalInput == Int64(Self.input))

            // The 5-minute write takes precedence; negative or junk values count as zero.
            let greedy: HTTPFields = [.simulatorCacheWriteTokens: "100000", .simulatorExtendedCacheWriteTokens: "7"]
            let all5m = try await client.post("/v1/messages", Self.body, headers: greedy).object()
            #expect(int(all5m, "usage", "input_tokens") == 0)
            #expect(int(all5m, "usage", "cache_creation", "ephemeral_5m_input_tokens") == Self.input)
            #expect(int(all5m, "usage", "cache_creation", "ephemeral_1h_input_tokens") == 0)
            #expect(simulator.calls.last?.usage.extendedCacheWrite == 0)
            let junk = try await client.post("/v1/messages", Self.body, headers: [.simulatorExtendedCacheWriteTokens: "-4"]).object()
            #expect(int(junk, "usage", "cache_creation", "ephemeral_1h_input_tokens") == 0)
            #expect(int(junk, "usage", "input_tokens") == Self.input)
        }
    }

    @Test func streamReportsTheCacheSplit() async throws {
        try await withSimulator { simulator, client in
            let streaming = Self.body.replacingOccurrences(of: #""max_tokens":1024"#, with: #""max_tokens":1024,"stream":true"#)
            let headers: HTTPFields = [.simulatorCacheWriteTokens: "1", .simulatorExtendedCacheWriteTokens: "6"]
            let objects = try await client.post("/v1/messages", streaming, headers: headers).events.compactMap(\.object)
            let start = try #require(objects.first)
            #expect(int(start, "message", "usage", "input_tokens") == Self.input - 7)
            #expect(int(start, "message", "usage", "cache_creation_input_tokens") == 7)
            #expect(int(start, "message", "usage", "cache_creation", "ephemeral_5m_input_tokens") == 1)
            #expect(int(start, "message", "usage", "cache_creation", "ephemeral_1h_input_tokens") == 6)
            let messageDelta = try #require(objects.first { $0["type"] as? String == "message_delta" })
            #expect(int(messageDelta, "usage", "cache_creation_input_tokens") == 7)
            #expect(int(messageDelta, "usage", "input_tokens") == Self.input - 7)
            let output = try #require(int(messageDelta, "usage", "output_tokens"))
            let call = try #require(simulator.calls.last)
            #expect(call.completed)
            #expect(call.usage == TokenUsage(input: Int64(Self.input - 7), cacheWrite: 1, extendedCacheWrite: 6, output: Int64(output)))
        }
    }

    @Test func extendedCacheWriteHeaderIsAnthropicOnly() async throws {
        try await withSimulator { simulator, client in
            let body = #"{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hello there, model."}]}"#
            _ = try await client.post("/v1/chat/completions", body, headers: [.simulatorExtendedCacheWriteTokens: "3"])
            let call = try #require(simulator.calls.last)
            #expect(call.endpoint == .chatCompletions)
            #expect(call.usage.extendedCacheWrite == 0 && call.usage.cacheWrite == 0)
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
