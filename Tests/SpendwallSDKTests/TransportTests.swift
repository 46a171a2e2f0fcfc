import AsyncHTTPClient
import Foundation
import HTTPTypes
import NIOCore
import NIOHTTP1
import OpenAPIRuntime
import Spendwall
import SpendwallSimulator
import SpendwallCore
import Synchronization
import Testing

/// Metering for code that uses another client: the AsyncHTTPClient wrapper, the OpenAPI
/// middleware, and the GPU timer.
@Suite struct TransportTests {
    @Test("the AsyncHTTPClient wrapper meters provider endpoints (a cap written when missing), streamed or not, and passes other requests through")
    func meteredHTTPClient() async throws {
        try await withSimulator { simulator, url in
            let spend = SpendwallClient(budget: .dollars(1))
            let client = spend.meteredHTTPClient
            var request = HTTPClientRequest(url: url + "/v1/chat/completions")
            request.method = .POST
            request.headers.add(name: "content-type", value: "application/json")
            request.headers.add(name: "authorization", value: "Bearer k")
            let body = ByteBuffer(string: #"{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}"#)
            let response = try await client.execute(request, body: body, timeout: .seconds(30))
            let answer = try await response.body.collect(upTo: 1 << 20)
            #expect(response.status == .ok && answer.readableBytes > 0)
            let first = try #require(simulator.calls.last)
            let charged = ProviderClientTests.price(first.usage, "gpt-4o-mini", .openai)
            #expect(spend.spent == charged && spend.held == .zero)

            let streamed = ByteBuffer(string: #"{"model":"gpt-4o-mini","stream":true,"max_tokens":30,"messages":[{"role":"user","content":"hi"}]}"#)
            let events = try await client.execute(request, body: streamed, timeout: .seconds(30))
            var text = ""
            for try await chunk in events.body { text += String(buffer: chunk) }
            #expect(text.contains("data:"))
            try await Task.sleep(for: .milliseconds(100))
            let second = try #require(simulator.calls.last)
            #expect(spend.spent == charged + ProviderClientTests.price(second.usage, "gpt-4o-mini", .openai))

            var other = HTTPClientRequest(url: url + "/health")
            other.method = .GET
            let passed = try await client.execute(other, body: ByteBuffer(), timeout: .seconds(10))
            _ = try await passed.body.collect(upTo: 1 << 20)
            #expect(spend.spent == charged + ProviderClientTests.price(second.usage, "gpt-4o-mini", .openai), "not a provider endpoint: not metered")
        }
    }

    @Test("the OpenAPI ClientMiddleware holds before the transport is called and charges the answer's usage")
    func openAPIMiddleware() async throws {
        let spend = SpendwallClient(budget: .dollars(1))
        let middleware = spend.meteringMiddleware
        let answer = #"{"id":"chatcmpl-1","object":"chat.completion","model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":20,"completion_tokens":50,"total_tokens":70}}"#
        var request = HTTPRequest(method: .post, scheme: "https", authority: "api.openai.com", path: "/chat/completions")
        request.headerFields[.contentType] = "application/json"
        let body = HTTPBody(#"{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}"#)
        let sent = SentBox()
        let (response, responseBody) = try await middleware.intercept(
            request, body: body, baseURL: URL(string: "https://api.openai.com/v1")!, operationID: "createChatCompletion"
        ) { request, body, _ in
            let bytes = try await [UInt8](collecting: body!, upTo: 1 << 20)
            sent.set(String(decoding: bytes, as: UTF8.self))
            return (HTTPResponse(status: .ok), HTTPBody(answer))
        }
        #expect(response.status == .ok)
        _ = try await [UInt8](collecting: responseBody!, upTo: 1 << 20)
        #expect(sent.text.contains("\"max_tokens\":4096") || sent.text.contains("max_completion_tokens"), "the output cap was written: \(sent.text)")
        #expect(spend.spent == ProviderClientTests.price(TokenUsage(input: 20, output: 50), "gpt-4o-mini", .openai) && spend.spent > .zero)
    }

    struct ProviderCase: Sendable, CustomTestStringConvertible {
        var provider: ProviderKind
        var baseURL: String
        var path: String
        var model: String
        var body: String
        var answer: String
        var testDescription: String { provider.rawValue }
    }

    static let providerCases = [
        ProviderCase(
            provider: .anthropic, baseURL: "https://api.anthropic.com", path: "/v1/messages", model: "claude-sonnet-4-5",
            body: #"{"model":"claude-sonnet-4-5","max_tokens":100,"messages":[{"role":"user","content":"hi"}]}"#,
            answer: #"{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"text","text":"hi"}],"stop_reason":"end_turn","usage":{"input_tokens":20,"output_tokens":50}}"#
        ),
        ProviderCase(
            provider: .gemini, baseURL: "https://generativelanguage.googleapis.com", path: "/v1beta/models/gemini-2.5-flash:generateContent",
            model: "gemini-2.5-flash", body: #"{"contents":[{"role":"user","parts":[{"text":"hi"}]}]}"#,
            answer: #"{"candidates":[{"content":{"role":"model","parts":[{"text":"hi"}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":20,"candidatesTokenCount":50,"totalTokenCount":70},"modelVersion":"gemini-2.5-flash"}"#
        ),
    ]

    @Test("the OpenAPI middleware also recognises Anthropic's and Gemini's endpoints and charges their usage", arguments: providerCases)
    func middlewareOtherProviders(_ item: ProviderCase) async throws {
        let spend = SpendwallClient(budget: .dollars(1))
        let request = HTTPRequest(method: .post, scheme: "https", authority: "x", path: item.path)
        let (_, body) = try await spend.meteringMiddleware.intercept(request, body: HTTPBody(item.body), baseURL: URL(string: item.baseURL)!, operationID: "op") { _, _, _ in
            (HTTPResponse(status: .ok), HTTPBody(item.answer))
        }
        _ = try await [UInt8](collecting: body!, upTo: 1 << 20)
        #expect(spend.spent == ProviderClientTests.price(TokenUsage(input: 20, output: 50), item.model, item.provider) && spend.spent > .zero, "spent \(spend.spent)")
        #expect(spend.held == .zero)
    }

    @Test("the GPU timer charges the time work takes, and stops work the budget cannot pay for while it runs")
    func gpuTimer() async throws {
        // $3.60 per GPU-hour = 1,000 nano-dollars a millisecond.
        let roomy = SpendwallClient(budget: .cents(1))
        let timer = try roomy.gpuTimer(gpu: "nvidia-l4", rate: "3.60", interval: .milliseconds(100))
        let began = ContinuousClock.now
        let (value, cost) = try await timer.run { () async throws -> Int in
            try await Task.sleep(for: .milliseconds(250))
            return 7
        }
        let elapsed = (ContinuousClock.now - began).components
        let elapsedMillis = elapsed.seconds * 1000 + elapsed.attoseconds / 1_000_000_000_000_000
        #expect(value == 7 && cost >= Money(nanodollars: 250_000) && cost <= Money(nanodollars: (elapsedMillis + 1) * 1_000), "\(cost) for \(elapsedMillis) ms")
        #expect(roomy.spent == cost && roomy.held == .zero)

        let spend = SpendwallClient(budget: .amount("0.0008")!)
        let tight = try spend.gpuTimer(gpu: "nvidia-l4", rate: "3.60", interval: .milliseconds(100))
        let started = ContinuousClock.now
        await #expect(throws: BudgetExceededError.self) {
            _ = try await tight.run { () async throws -> Int in
                try await Task.sleep(for: .seconds(30))
                return 0
            }
        }
        #expect(ContinuousClock.now - started < .seconds(10), "the work was cancelled when the budget ran out, not when it ended")
        let standing = try await spend.standing()
        #expect(standing.spent <= standing.limit && standing.held == .zero)
        #expect(throws: SpendwallError.self) { try spend.gpuTimer(gpu: "rtx-9090") }
    }
}

final class SentBox: Sendable {
    private let value = Mutex<String>("")
    func set(_ text: String) { value.withLock { $0 = text } }
    var text: String { value.withLock { $0 } }
}
