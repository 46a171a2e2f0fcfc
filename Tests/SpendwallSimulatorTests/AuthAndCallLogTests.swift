import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SpendwallCore
@testable import SpendwallSimulator
import Testing

@Suite("Expected keys and the call log")
struct AuthAndCallLogTests {
    static let config = SimulatorConfig(expectedKeys: [.openai: "sk-real", .anthropic: "ant-real", .gemini: "goog-real"])

    @Test func wrongOrMissingKeysAre401InEachDialect() async throws {
        try await withSimulator(Self.config) { simulator, client in
            let openAI = try await client.post("/v1/chat/completions", #"{"model":"gpt-4o","messages":[]}"#, headers: [.authorization: "Bearer sk-wrong"])
            #expect(openAI.status == .unauthorized)
            #expect(string(try openAI.object(), "error", "code") == "invalid_api_key")

            let anthropic = try await client.post("/v1/messages", #"{"model":"claude-x","max_tokens":9,"messages":[]}"#)
            #expect(anthropic.status == .unauthorized)
            #expect(string(try anthropic.object(), "error", "type") == "authentication_error")

            let gemini = try await client.post("/v1beta/models/gemini-2.5-flash:generateContent", #"{"contents":[]}"#, headers: [.testGoogleKey: "nope"])
            #expect(gemini.status == .unauthorized)
            #expect(string(try gemini.object(), "error", "status") == "UNAUTHENTICATED")

            #expect(simulator.calls.map(\.authorizationOK) == [false, false, false])
            #expect(simulator.calls.map(\.status) == [401, 401, 401])
        }
    }

    @Test func rightKeysAreAccepted() async throws {
        try await withSimulator(Self.config) { simulator, client in
            let openAI = try await client.post("/v1/chat/completions", #"{"model":"gpt-4o","messages":[]}"#, headers: [.authorization: "Bearer sk-real"])
            let anthropic = try await client.post("/v1/messages", #"{"model":"claude-x","max_tokens":9,"messages":[]}"#, headers: [.testAPIKey: "ant-real"])
            let gemini = try await client.post("/v1beta/models/gemini-2.5-flash:generateContent", #"{"contents":[]}"#, headers: [.testGoogleKey: "goog-real"])
            let geminiQuery = try await client.post("/v1beta/models/gemini-2.5-flash:generateContent?key=goog-real", #"{"contents":[]}"#)
            #expect([openAI, anthropic, gemini, geminiQuery].allSatisfy { $0.status == .ok })
            #expect(simulator.calls.allSatisfy { $0.authorizationOK && $0.completed })
        }
    }

    @Test func leakedSpendwallKeysAreFlagged() async throws {
        try await withSimulator { simulator, client in
            _ = try await client.post("/v1/chat/completions", #"{"model":"gpt-4o","messages":[]}"#, headers: [.authorization: "Bearer sk-upstream"])
            _ = try await client.post("/v1/chat/completions", #"{"model":"gpt-4o","messages":[]}"#, headers: [.authorization: "Bearer sw-live-abc123"])
            #expect(simulator.calls.map(\.sawSpendwallKey) == [false, true])
        }
    }

    @Test func callLogEndpoints() async throws {
        try await withSimulator { simulator, client in
            for model in ["gpt-4o", "gpt-4o", "claude-x"] {
                if model.hasPrefix("gpt") {
                    _ = try await client.post("/v1/chat/completions", #"{"model":"\#(model)","messages":[{"role":"user","content":"hello"}]}"#)
                } else {
                    _ = try await client.post("/v1/messages", #"{"model":"\#(model)","max_tokens":9,"messages":[]}"#)
                }
            }
            let all = try await client.executeRequest(uri: "/_simulator/calls", method: .get, headers: [:], body: nil)
            let calls = try JSONDecoder().decode([SimulatedCall].self, from: Data(all.body.readableBytesView))
            #expect(calls == simulator.calls)
            #expect(calls.map(\.index) == [0, 1, 2])

            let since = try await client.executeRequest(uri: "/_simulator/calls?since=2", method: .get, headers: [:], body: nil)
            let tail = try JSONDecoder().decode([SimulatedCall].self, from: Data(since.body.readableBytesView))
            #expect(tail.map(\.model) == ["claude-x"])

            let usage = try await client.executeRequest(uri: "/_simulator/usage", method: .get, headers: [:], body: nil)
            let totals = try JSONDecoder().decode([String: SimulatedUsageTotals].self, from: Data(usage.body.readableBytesView))
            #expect(totals["gpt-4o"]?.calls == 2)
            #expect(totals["gpt-4o"]?.usage.output == calls[0].usage.output + calls[1].usage.output)
            #expect(totals["claude-x"]?.completedCalls == 1)

            let reset = try await client.executeRequest(uri: "/_simulator/reset", method: .post, headers: [:], body: nil)
            #expect(reset.status == .noContent)
            #expect(simulator.calls.isEmpty && simulator.usageByModel.isEmpty)
        }
    }

    @Test func callLogDropsTheOldestBeyondItsLimit() {
        var log = CallLog(limit: 8)
        for serial in 0..<30 {
            log.append(SimulatedCall(id: "c\(serial)", endpoint: .chatCompletions, model: "m", stream: false, usage: .init(output: 1), completed: true))
        }
        #expect(log.records.count <= 8)
        #expect(log.records.last?.index == 29)
        #expect(log.records(since: 28).map(\.id) == ["c28", "c29"])
        #expect(log.totals["m"]?.calls == 30)
        #expect(log.totals["m"]?.usage.output == 30)
    }
}
