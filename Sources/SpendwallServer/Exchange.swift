import AsyncHTTPClient
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import SpendwallCore
import SpendwallEngine
import SpendwallProviders
import SpendwallStorage

/// The upstream half of a reserved request: sends it, relays the answer, and settles the hold
/// exactly once whatever happens (success, upstream error, broken stream, client gone).
struct Exchange: Sendable {
    let gateway: Gateway
    let reservation: Reservation
    let plan: AdmissionPlan
    let endpoint: Endpoint
    let requestID: String
    let hideUsageChunk: Bool
    let streaming: Bool
    let geminiJSONArrayStream: Bool

    static let maxBufferedResponse = 64 * 1024 * 1024

    func forward(_ upstream: HTTPClientRequest) async -> Response {
        let response: HTTPClientResponse
        do {
            response = try await gateway.httpClient.execute(upstream, timeout: .seconds(gateway.configuration.upstreamTimeoutSeconds))
        } catch {
            let sent = !Self.failedBeforeSending(error)
            await settle(sent ? estimatedUsage(outputBytes: 0) : .zero, status: sent ? .estimated : .notSent, upstreamStatus: nil, upstreamID: nil)
            gateway.logger.warning("upstream request failed", metadata: ["request.id": "\(requestID)", "error": "\(error)"])
            let timedOut = "\(error)".lowercased().contains("timeout")
            return GatewayError(
                timedOut ? .gatewayTimeout : .badGateway, timedOut ? "upstream_timeout" : "upstream_unreachable",
                "The \(endpoint.provider.displayName) upstream \(timedOut ? "did not answer in time" : "could not be reached")."
            ).response(for: endpoint.provider, requestID: requestID)
        }
        let status = Int(response.status.code)
        let headers = ForwardedHeaders.downstream(from: response.headers, requestID: requestID)
        if status >= 400 {
            return await relayError(response, status: status, headers: headers)
        }
        if streaming {
            return relayStream(response, headers: headers)
        }
        return await relayBuffered(response, headers: headers)
    }

    // MARK: Relays

    private func relayError(_ response: HTTPClientResponse, status: Int, headers: HTTPFields) async -> Response {
        let body = (try? await response.body.collect(upTo: 1024 * 1024)) ?? ByteBuffer()
        let extracted = UsageExtractor.fromResponseBody(body, endpoint: endpoint)
        await settle(extracted?.usage ?? .zero, status: .upstreamError, upstreamStatus: status, upstreamID: extracted?.responseID)
        return Response(status: HTTPResponse.Status(code: status), headers: headers, body: ResponseBody(byteBuffer: body))
    }

    private func relayBuffered(_ response: HTTPClientResponse, headers: HTTPFields) async -> Response {
        let status = Int(response.status.code)
        let body: ByteBuffer
        do {
            body = try await response.body.collect(upTo: Self.maxBufferedResponse)
        } catch {
            await settle(estimatedUsage(outputBytes: 0), status: .estimated, upstreamStatus: status, upstreamID: nil)
            return GatewayError(.badGateway, "upstream_failed", "The \(endpoint.provider.displayName) response broke off before it was complete.")
                .response(for: endpoint.provider, requestID: requestID)
        }
        let extracted = UsageExtractor.fromResponseBody(body, endpoint: endpoint)
        let usage = extracted?.usage
        let exchange = self
        // The body goes out first; settling while the client reads keeps the durable write off
        // the response's critical path, and the request is not finished until both are done.
        return Response(
            status: HTTPResponse.Status(code: status), headers: headers,
            body: ResponseBody(contentLength: body.readableBytes) { writer in
                var failure: (any Error)?
                do { try await writer.write(body) } catch { failure = error }
                if let usage {
                    await exchange.settle(usage, status: .settled, upstreamStatus: status, upstreamID: extracted?.responseID)
                } else {
                    await exchange.settle(exchange.estimatedUsage(outputBytes: Int64(body.readableBytes)), status: .estimated, upstreamStatus: status, upstreamID: extracted?.responseID)
                }
                if let failure { throw failure }
                try await writer.finish(nil)
            }
        )
    }

    private func relayStream(_ response: HTTPClientResponse, headers: HTTPFields) -> Response {
        let exchange = self
        let status = Int(response.status.code)
        return Response(
            status: HTTPResponse.Status(code: status), headers: headers,
            body: ResponseBody { writer in
                var meter = StreamMeter(endpoint: exchange.endpoint, hideUsageChunk: exchange.hideUsageChunk, jsonArray: exchange.geminiJSONArrayStream)
                var failure: (any Error)?
                do {
                    for try await chunk in response.body {
                        let outgoing = meter.consume(chunk)
                        if outgoing.readableBytes > 0 {
                            do { try await writer.write(outgoing) } catch {
                                failure = error
                                break
                            }
                        }
                    }
                    if failure == nil {
                        let tail = meter.finish()
                        if tail.readableBytes > 0 { try await writer.write(tail) }
                    }
                } catch {
                    failure = failure ?? error
                }
                if let usage = meter.usage {
                    await exchange.settle(usage, status: .settled, upstreamStatus: status, upstreamID: meter.responseID)
                } else {
                    await exchange.settle(exchange.estimatedUsage(outputBytes: meter.streamedOutputBytes), status: .estimated, upstreamStatus: status, upstreamID: meter.responseID)
                }
                if let failure { throw failure }
                try await writer.finish(nil)
            }
        )
    }

    // MARK: Settlement

    /// What a request without reported usage is charged from: the input bound (the provider
    /// read the input) and the streamed output (a token covers at least one byte). The engine
    /// caps the charge at the hold.
    func estimatedUsage(outputBytes: Int64) -> TokenUsage {
        TokenUsage(input: plan.inputTokenBound, output: outputBytes)
    }

    func settle(_ usage: TokenUsage, status: LedgerStatus, upstreamStatus: Int?, upstreamID: String?) async {
        await gateway.enforcer.settle(reservation, Settlement(usage: usage, status: status, upstreamStatus: upstreamStatus, upstreamID: upstreamID))
    }

    /// True when the request certainly never reached the provider (so nothing can be billed).
    static func failedBeforeSending(_ error: any Error) -> Bool {
        if let clientError = error as? HTTPClientError, clientError == .connectTimeout { return true }
        let text = String(reflecting: error).lowercased()
        return text.contains("connection refused") || text.contains("connecttimeout") || text.contains("nioconnectionerror")
    }
}
