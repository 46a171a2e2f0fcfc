import Foundation
import HTTPTypes
import NIOCore
import OpenAPIRuntime
import SpendwallCore
import SpendwallProviders

/// A swift-openapi-runtime `ClientMiddleware` that meters provider calls made by a generated
/// OpenAPI client: requests to the endpoints Spendwall knows are held before they are sent and
/// charged from the usage in their answers (streamed answers as they are read); others pass.
///
/// ```swift
/// let client = Client(serverURL: URL(string: "https://api.openai.com/v1")!, transport: AsyncHTTPClientTransport(),
///                     middlewares: [spend.meteringMiddleware])
/// ```
public struct MeteringMiddleware: ClientMiddleware {
    let meter: Meter

    /// Meters the request when it is a provider call Spendwall knows; passes it on otherwise.
    public func intercept(
        _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        var basePath = baseURL.path
        while basePath.hasSuffix("/") { basePath.removeLast() }
        let path = basePath + (request.path ?? "")
        guard request.method == .post, let route = EndpointRoute(path: path), route.endpoint.isBillable, let body else {
            return try await next(request, body, baseURL)
        }
        let bytes = try await [UInt8](collecting: body, upTo: 64 * 1024 * 1024)
        let call = try await meter.prepare(route, body: ByteBuffer(bytes: bytes))
        let sent = HTTPBody(Array(call.body.readableBytesView))
        let (response, answer): (HTTPResponse, HTTPBody?)
        do {
            (response, answer) = try await next(request, sent, baseURL)
        } catch {
            await meter.chargeHold(call.hold)
            throw error
        }
        guard let answer else {
            await meter.release(call.hold)
            return (response, nil)
        }
        if call.stream && (200..<300).contains(response.status.code) {
            let metered = MeteredStream.wrap(answer, call: call, meter: meter) { ByteBuffer(bytes: $0) }
            let (slices, continuation) = AsyncThrowingStream<HTTPBody.ByteChunk, any Error>.makeStream()
            let relay = Task {
                do {
                    for try await chunk in metered { continuation.yield(ArraySlice(chunk.readableBytesView)) }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in relay.cancel() }
            return (response, HTTPBody(slices, length: .unknown))
        }
        let collected = try await [UInt8](collecting: answer, upTo: 256 * 1024 * 1024)
        try await MeteredStream.settle(body: ByteBuffer(bytes: collected), status: response.status.code, call: call, meter: meter)
        return (response, HTTPBody(collected))
    }
}

extension SpendwallClient {
    /// A swift-openapi-runtime middleware that meters provider calls against this budget.
    public var meteringMiddleware: MeteringMiddleware { MeteringMiddleware(meter: meter) }
}
