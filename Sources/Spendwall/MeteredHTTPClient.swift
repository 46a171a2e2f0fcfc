import Foundation
import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import SpendwallCore
import SpendwallProviders

/// AsyncHTTPClient with metering, for code that builds its own provider requests: a request to a
/// provider endpoint Spendwall knows (OpenAI chat completions, responses, embeddings; Anthropic
/// messages; Gemini generateContent and streamGenerateContent) is held before it is sent (an
/// output cap added to the body when it has none) and charged from the usage in its answer;
/// other requests pass through unmetered.
public struct MeteredHTTPClient: Sendable {
    let http: HTTPClient
    let meter: Meter

    /// Sends `request` with `body` (the body is given separately because it must be read to be
    /// priced). A streamed answer (SSE) is metered as it is read: read it to the end, or drop it,
    /// to settle the call.
    public func execute(_ request: HTTPClientRequest, body: ByteBuffer, timeout: TimeAmount) async throws -> HTTPClientResponse {
        var request = request
        guard let path = Self.path(of: request.url), let route = EndpointRoute(path: path), route.endpoint.isBillable else {
            request.body = .bytes(body)
            return try await http.execute(request, timeout: timeout)
        }
        let call = try await meter.prepare(route, body: body)
        request.body = .bytes(call.body)
        if route.endpoint == .geminiStreamGenerateContent && !request.url.contains("alt=sse") {
            await meter.release(call.hold)
            throw SpendwallError(.invalidRequest, "streamGenerateContent is metered with alt=sse only")
        }
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, timeout: timeout)
        } catch {
            await meter.chargeHold(call.hold)
            throw error
        }
        if call.stream && (200..<300).contains(response.status.code) {
            let metered = MeteredStream.wrap(response.body, call: call, meter: meter) { $0 }
            return HTTPClientResponse(version: response.version, status: response.status, headers: response.headers, body: .stream(metered))
        }
        let collected = try await response.body.collect(upTo: 256 * 1024 * 1024)
        try await MeteredStream.settle(body: collected, status: Int(response.status.code), call: call, meter: meter)
        return HTTPClientResponse(version: response.version, status: response.status, headers: response.headers, body: .bytes(collected))
    }

    /// The path of a URL, without scheme, host or query.
    static func path(of url: String) -> String? {
        guard let scheme = url.range(of: "://") else { return nil }
        let rest = url[scheme.upperBound...]
        guard let slash = rest.firstIndex(of: "/") else { return nil }
        return String(rest[slash...])
    }
}

extension SpendwallClient {
    /// An AsyncHTTPClient wrapper that meters provider calls against this budget.
    public var meteredHTTPClient: MeteredHTTPClient { MeteredHTTPClient(http: http, meter: meter) }
}
