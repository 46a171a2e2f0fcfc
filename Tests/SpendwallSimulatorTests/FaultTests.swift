import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SpendwallCore
@testable import SpendwallSimulator
import Testing

@Suite("Injected faults")
struct FaultTests {
    static let chatStream = #"{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"stream":true,"stream_options":{"include_usage":true}}"#

    @Test func statusFaultsUseEachDialectsErrorShape() async throws {
        try await withSimulator { simulator, client in
            let fault: HTTPFields = [.simulatorFault: "status=429"]
            let openAI = try await client.post("/v1/chat/completions", Self.chatStream, headers: fault)
            #expect(openAI.status == .tooManyRequests)
            #expect(openAI.headers[.retryAfter] != nil)
            #expect(string(try openAI.object(), "error", "code") == "rate_limit_exceeded")
            #expect(!openAI.text.contains("usage"))

            let anthropic = try await client.post("/v1/messages", #"{"model":"claude-x","max_tokens":9,"messages":[]}"#, headers: [.simulatorFault: "status=529"])
            #expect(anthropic.status.code == 529)
            #expect(string(try anthropic.object(), "type") == "error")
            #expect(string(try anthropic.object(), "error", "type") == "overloaded_error")

            let gemini = try await client.post("/v1beta/models/gemini-2.5-flash:generateContent", #"{"contents":[]}"#, headers: [.simulatorFault: "status=503"])
            #expect(gemini.status == .serviceUnavailable)
            #expect(int(try gemini.object(), "error", "code") == 503)
            #expect(string(try gemini.object(), "error", "status") == "UNAVAILABLE")

            let calls = simulator.calls
            #expect(calls.map(\.status) == [429, 529, 503])
            #expect(calls.allSatisfy { !$0.completed && $0.usage == .zero && $0.fault?.hasPrefix("status=") == true })
        }
    }

    @Test func endAfterEndsTheBodyWithoutFinalEvents() async throws {
        try await withSimulator { simulator, client in
            let response = try await client.post("/v1/chat/completions", Self.chatStream, headers: [.simulatorFault: "end-after=3"])
            let events = response.events
            #expect(!response.text.contains("[DONE]"))
            #expect(!response.text.contains("\"usage\":{"))
            let contents = events.compactMap(\.object).compactMap { string($0, "choices", 0, "delta", "content") }
            #expect(contents.count == 4)  // the role chunk's empty content, then three words
            let call = try #require(simulator.calls.last)
            #expect(!call.completed)
            #expect(call.usage.output == 3)
            #expect(call.fault == "end-after=3")
        }
    }

    @Test(arguments: [
        ("/v1/messages", #"{"model":"claude-x","max_tokens":99,"stream":true,"messages":[{"role":"user","content":"hi"}]}"#, "message_delta"),
        ("/v1/responses", #"{"model":"gpt-4.1","input":"hi","stream":true}"#, "response.completed"),
        ("/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", #"{"contents":[{"parts":[{"text":"hi"}]}]}"#, "finishReason"),
    ])
    func endAfterCutsEveryDialect(uri: String, body: String, finalMarker: String) async throws {
        try await withSimulator { simulator, client in
            let response = try await client.post(uri, body, headers: [.simulatorFault: "end-after=2"])
            #expect(response.status == .ok)
            #expect(!response.text.contains(finalMarker))
            #expect(simulator.calls.last?.completed == false)
            #expect(simulator.calls.last?.usage.output == 2)
        }
    }

    @Test func breakAfterDropsTheConnectionMidBody() async throws {
        try await withSimulator(setup: .live) { simulator, client in
            var received: String?
            do {
                let response = try await client.post("/v1/chat/completions", Self.chatStream, headers: [.simulatorFault: "break-after=2"])
                received = response.text
            } catch {
                // The client saw the connection close before the chunked body ended.
            }
            if let received {
                #expect(!received.contains("[DONE]"))
            }
            let call = try #require(simulator.calls.last)
            #expect(!call.completed)
            #expect(call.usage.output == 2)
            #expect(call.fault == "break-after=2")
        }
    }

    @Test func breakAfterIsIgnoredWithoutStreaming() async throws {
        try await withSimulator { simulator, client in
            let response = try await client.post("/v1/chat/completions", #"{"model":"gpt-4o","messages":[]}"#, headers: [.simulatorFault: "break-after=1"])
            #expect(response.status == .ok)
            #expect(simulator.calls.last?.completed == true)
        }
    }

    @Test func hangAnswers504AfterTheLimit() async throws {
        var config = SimulatorConfig()
        config.hangLimit = .milliseconds(200)
        try await withSimulator(config, setup: .live) { simulator, client in
            let start = ContinuousClock.now
            let response = try await client.post("/v1/messages", #"{"model":"claude-x","max_tokens":9,"messages":[]}"#, headers: [.simulatorFault: "hang"])
            #expect(ContinuousClock.now - start >= .milliseconds(150))
            #expect(response.status == .gatewayTimeout)
            #expect(simulator.calls.last?.completed == false)
        }
    }

    @Test func delaysPaceTheStream() async throws {
        let config = SimulatorConfig(firstByteDelay: .milliseconds(50), interChunkDelay: .milliseconds(5))
        try await withSimulator(config) { simulator, client in
            let start = ContinuousClock.now
            let response = try await client.post("/v1/chat/completions", #"{"model":"gpt-4o","messages":[],"stream":true,"max_tokens":8}"#)
            #expect(ContinuousClock.now - start >= .milliseconds(50 + 8 * 5))
            #expect(response.events.last?.data == "[DONE]")
            #expect(simulator.calls.last?.completed == true)
        }
    }

    @Test("x-simulator-chunk-delay-ms paces one call's stream, whatever the configuration")
    func chunkDelayHeaderPacesOneCall() async throws {
        try await withSimulator { simulator, client in
            let body = #"{"model":"gpt-4o","messages":[],"stream":true,"max_tokens":8}"#
            // The configuration has no delay: only the header can pace this stream.
            let start = ContinuousClock.now
            let response = try await client.post("/v1/chat/completions", body, headers: [.simulatorChunkDelay: "30"])
            #expect(ContinuousClock.now - start >= .milliseconds(8 * 30))
            #expect(response.events.last?.data == "[DONE]")
            #expect(simulator.calls.last?.completed == true)
        }
        #expect(CallFacts.chunkDelay([.simulatorChunkDelay: "99999"]) == .seconds(10))
        #expect(CallFacts.chunkDelay([.simulatorChunkDelay: "-5"]) == .zero)
        #expect(CallFacts.chunkDelay([.simulatorChunkDelay: "soon"]) == nil)
    }

    @Test func faultHeaderParsing() {
        #expect(SimulatorFault(headerValue: "status=429") == .status(429))
        #expect(SimulatorFault(headerValue: " break-after=3 ") == .breakAfter(3))
        #expect(SimulatorFault(headerValue: "end-after=0") == .endAfter(0))
        #expect(SimulatorFault(headerValue: "hang") == .hang)
        #expect(SimulatorFault(headerValue: "status=42") == nil)
        #expect(SimulatorFault(headerValue: "explode") == nil)
    }
}
