import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SpendwallCore
import SpendwallProviders

/// One provider's base URL and credential, and the metered calls to it.
struct ProviderConnection: Sendable {
    let provider: ProviderKind
    /// Without a trailing slash, e.g. `https://api.openai.com`.
    let baseURL: String
    let apiKey: String
    let http: HTTPClient
    let meter: Meter

    init(provider: ProviderKind, baseURL: String, apiKey: String, http: HTTPClient, meter: Meter) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.provider = provider
        self.baseURL = base
        self.apiKey = apiKey
        self.http = http
        self.meter = meter
    }

    /// The request for a prepared call, with the provider's own credential header.
    func request(for call: Meter.Call) -> HTTPClientRequest {
        var path = call.route.endpoint.upstreamPath(model: call.route.pathModel)
        if call.route.endpoint == .geminiStreamGenerateContent { path += "?alt=sse" }
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        switch provider {
        case .openai: request.headers.add(name: "authorization", value: "Bearer \(apiKey)")
        case .anthropic:
            request.headers.add(name: "x-api-key", value: apiKey)
            request.headers.add(name: "anthropic-version", value: "2023-06-01")
        case .gemini: request.headers.add(name: "x-goog-api-key", value: apiKey)
        }
        request.body = .bytes(call.body)
        return request
    }

    /// Sends a JSON body to an endpoint and returns the answer's JSON with what it cost.
    func send(_ route: EndpointRoute, json: [String: Any]) async throws -> (object: [String: Any], usage: TokenUsage, cost: Money) {
        let call = try await meter.prepare(route, body: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json)))
        let response: HTTPClientResponse
        let body: ByteBuffer
        do {
            response = try await http.execute(request(for: call), timeout: .seconds(600))
            body = try await response.body.collect(upTo: 256 * 1024 * 1024)
        } catch {
            // Whether the provider generated anything is unknown: the hold is charged.
            await meter.chargeHold(call.hold)
            throw SpendwallError(.providerError, "\(provider.rawValue) could not be reached or did not answer: \(error)")
        }
        let extracted = UsageExtractor.fromResponseBody(body, endpoint: route.endpoint)
        guard (200..<300).contains(response.status.code) else {
            let charged = try await meter.finish(call.hold, usage: extracted?.usage ?? .zero)
            _ = charged
            throw SpendwallError(.providerError, Self.errorMessage(body) ?? "\(provider.rawValue) answered \(response.status.code)", status: Int(response.status.code))
        }
        guard let usage = extracted?.usage else {
            await meter.chargeHold(call.hold)
            throw SpendwallError(.invalidResponse, "\(provider.rawValue)'s answer carried no usage; the call was charged its hold")
        }
        let cost = try await meter.finish(call.hold, usage: usage)
        let object = (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] ?? [:]
        return (object, usage, cost)
    }

    /// Sends a streamed call; the events come as they arrive, and the call is settled when the
    /// stream ends, fails or is abandoned (at the reported usage; at the hold when none came).
    func stream(_ route: EndpointRoute, json: [String: Any]) async throws -> AsyncThrowingStream<MeteredStream.Item, any Error> {
        var object = json
        object["stream"] = true
        let call = try await meter.prepare(route, body: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: object)))
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request(for: call), timeout: .seconds(600))
        } catch {
            await meter.chargeHold(call.hold)
            throw SpendwallError(.providerError, "\(provider.rawValue) could not be reached: \(error)")
        }
        guard (200..<300).contains(response.status.code) else {
            let body = (try? await response.body.collect(upTo: 16 * 1024 * 1024)) ?? ByteBuffer()
            _ = try? await meter.finish(call.hold, usage: UsageExtractor.fromResponseBody(body, endpoint: route.endpoint)?.usage ?? .zero)
            throw SpendwallError(.providerError, Self.errorMessage(body) ?? "\(provider.rawValue) answered \(response.status.code)", status: Int(response.status.code))
        }
        return MeteredStream.items(response.body, call: call, meter: meter) { $0 }
    }

    static func errorMessage(_ body: ByteBuffer) -> String? {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] else { return nil }
        if let error = object["error"] as? [String: Any], let message = error["message"] as? String { return message }
        return object["message"] as? String
    }
}
