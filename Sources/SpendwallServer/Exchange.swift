import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import SpendwallCore
import SpendwallEngine
import SpendwallProviders
import Tracing
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
    /// Completions generated per request (`n`).
    let choices: Int64
    /// What the request took from the rate limits, corrected once it is settled.
    let limits: RateLimiter.Ticket
    /// Where a successful answer goes in the response cache, when its scope caches.
    let cacheSlot: CacheSlot?
    /// Whether another upstream can take the request if this one cannot be reached or answers
    /// 429 or 5xx (nothing has been sent to the client then).
    var canFailOver = false
    /// The self-hosted deployment serving the request, whose served tokens it counts.
    var deploymentID: String?
    /// Where the upstream's share of the request's time goes, for the latency metrics.
    var timing: RequestFacts?

    /// How an attempt ended.
    enum Outcome {
        /// The client's answer, and whether the upstream looked healthy (for its circuit breaker).
        case answered(Response, healthy: Bool)
        /// The upstream failed before anything reached the client; the attempt is settled and
        /// the next upstream may take the request.
        case failedOver(reason: String)
    }
    /// The tier a response header reported (Gemini), once the response arrived.
    var reportedTier: String?

    private func with(reportedTier: String?) -> Exchange {
        var copy = self
        copy.reportedTier = reportedTier
        return copy
    }

    static let maxBufferedResponse = 64 * 1024 * 1024

    func forward(_ upstream: UpstreamRequest, to origin: UpstreamOrigin) async -> Outcome {
        let response: UpstreamResponse
        do {
            let deadline = NIODeadline.now() + .seconds(Int64(gateway.configuration.upstreamTimeoutSeconds))
            let sent = ContinuousClock.now
            defer { timing?.add(ContinuousClock.now - sent) }
            if gateway.configuration.traces {
                response = try await withSpan("spendwall.upstream", ofKind: .client) { span in
                    span.attributes["server.address"] = origin.host
                    span.attributes["spendwall.provider"] = endpoint.provider.rawValue
                    return try await gateway.upstream.execute(upstream, to: origin, deadline: deadline)
                }
            } else {
                response = try await gateway.upstream.execute(upstream, to: origin, deadline: deadline)
            }
        } catch {
            // Once sent, the provider may have generated (and billed) the whole answer.
            let sent = !Self.failedBeforeSending(error)
            let timedOut = Self.isTimeout(error)
            if sent {
                await settleWorstCase(upstreamStatus: nil, finishingLimits: !canFailOver)
            } else {
                await settle(.zero, status: .notSent, upstreamStatus: nil, upstreamID: nil, finishingLimits: !canFailOver)
            }
            gateway.logger.warning("upstream request failed", metadata: ["request.id": "\(requestID)", "error": "\(error)"])
            if canFailOver { return .failedOver(reason: timedOut ? "timeout" : "unreachable") }
            return .answered(GatewayError(
                timedOut ? .gatewayTimeout : .badGateway, timedOut ? "upstream_timeout" : "upstream_unreachable",
                "The \(endpoint.provider.displayName) upstream \(timedOut ? "did not answer in time" : "could not be reached")."
            ).response(for: endpoint.provider, requestID: requestID), healthy: false)
        }
        let status = Int(response.status.code)
        let healthy = status != 429 && status < 500
        if !healthy && canFailOver {
            // Nothing reached the client: read the error, settle the attempt, try the next one.
            let body = (try? await response.body.collect(upTo: 1024 * 1024)) ?? ByteBuffer()
            let extracted = UsageExtractor.fromResponseBody(body, endpoint: endpoint)
            await settle(extracted?.usage ?? .zero, status: .upstreamError, upstreamStatus: status, upstreamID: extracted?.responseID, finishingLimits: false)
            return .failedOver(reason: "HTTP \(status)")
        }
        var headers = ForwardedHeaders.downstream(from: response.headers, requestID: requestID)
        // A stream's charge is known only at its end: its decision goes out without it.
        if streaming && status < 400 { headers[.spendwallDecision] = decisionHeader(charge: nil) }
        // Gemini reports the tier it served at in a header (OpenAI does so in the body).
        let exchange = endpoint.provider == .gemini
            ? with(reportedTier: response.headers.first(name: "x-gemini-service-tier")) : self
        return .answered(await exchange.relay(response, status: status, headers: headers), healthy: healthy)
    }

    private func relay(_ response: UpstreamResponse, status: Int, headers: HTTPFields) async -> Response {
        if status >= 400 {
            return await relayError(response, status: status, headers: headers)
        }
        if streaming {
            return relayStream(response, headers: headers)
        }
        return await relayBuffered(response, headers: headers)
    }

    // MARK: Relays

    private func relayError(_ response: UpstreamResponse, status: Int, headers: HTTPFields) async -> Response {
        let body = (try? await response.body.collect(upTo: 1024 * 1024)) ?? ByteBuffer()
        let extracted = UsageExtractor.fromResponseBody(body, endpoint: endpoint)
        let entry = await settle(extracted?.usage ?? .zero, status: .upstreamError, upstreamStatus: status, upstreamID: extracted?.responseID, serviceTier: extracted?.serviceTier)
        var headers = headers
        headers[.spendwallDecision] = decisionHeader(charge: entry?.cost)
        return Response(status: HTTPResponse.Status(code: status), headers: headers, body: ResponseBody(byteBuffer: body))
    }

    /// `x-spendwall-decision`: the decision recorded with the hold, and the charge once known.
    private func decisionHeader(charge: Money?) -> String {
        Decision.text(reservation.request.decision ?? "", charge: charge)
    }

    private func relayBuffered(_ response: UpstreamResponse, headers: HTTPFields) async -> Response {
        let status = Int(response.status.code)
        let body: ByteBuffer
        let reading = ContinuousClock.now
        defer { timing?.add(ContinuousClock.now - reading) }
        do {
            body = try await response.body.collect(upTo: Self.maxBufferedResponse)
        } catch {
            // The provider answered and may bill the whole generation: charge the worst case.
            await settleWorstCase(upstreamStatus: status)
            return GatewayError(.badGateway, "upstream_failed", "The \(endpoint.provider.displayName) response broke off before it was complete.")
                .response(for: endpoint.provider, requestID: requestID)
        }
        // Settle before answering: the ledger row exists even if the client is gone by now.
        let entry: LedgerEntry?
        if let extracted = UsageExtractor.fromResponseBody(body, endpoint: endpoint) {
            entry = await settle(extracted.usage, status: .settled, upstreamStatus: status, upstreamID: extracted.responseID, serviceTier: extracted.serviceTier)
        } else {
            entry = await settleWorstCase(upstreamStatus: status)
        }
        var headers = headers
        headers[.spendwallDecision] = decisionHeader(charge: entry?.cost)
        if let cacheSlot {
            headers[.spendwallCache] = "miss"
            if status == 200, let entry, entry.status == .settled {
                gateway.responseCache.store(ResponseCache.Entry(
                    body: body, contentType: headers[.contentType] ?? "application/json", usage: entry.usage, cost: entry.cost,
                    upstreamID: entry.upstreamID, expiresAt: .now + cacheSlot.ttl
                ), key: cacheSlot.key)
            }
        }
        return Response(status: HTTPResponse.Status(code: status), headers: headers, body: ResponseBody(byteBuffer: body))
    }

    private func relayStream(_ response: UpstreamResponse, headers: HTTPFields) -> Response {
        let exchange = self
        let status = Int(response.status.code)
        return Response(
            status: HTTPResponse.Status(code: status), headers: headers,
            body: ResponseBody { writer in
                var meter = StreamMeter(endpoint: exchange.endpoint, hideUsageChunk: exchange.hideUsageChunk, jsonArray: exchange.geminiJSONArrayStream)
                let cut = StreamCut()
                let key = exchange.reservation.request.key
                let liveStreams = exchange.gateway.controlPlane.liveStreams
                let registration = liveStreams.register(key: key) { block in
                    if cut.set(block) { response.body.abort(UpstreamError(.aborted, mayHaveBeenSent: true, "the kill switch ended the stream")) }
                }
                defer { liveStreams.unregister(registration) }
                // A block put in force after this request was admitted, but before it registered.
                if let block = exchange.gateway.controlPlane.directory.block(for: key), cut.set(block) {
                    response.body.abort(UpstreamError(.aborted, mayHaveBeenSent: true, "the kill switch ended the stream"))
                }
                var failure: (any Error)?
                do {
                    for try await chunk in response.body {
                        let outgoing = meter.consume(chunk)
                        // Once cut, what is still buffered is metered (the provider produced and
                        // bills it) but not sent.
                        if cut.by != nil { continue }
                        if outgoing.readableBytes > 0 {
                            do { try await writer.write(outgoing) } catch {
                                failure = error
                                break
                            }
                        }
                    }
                    if failure == nil, cut.by == nil {
                        let tail = meter.finish()
                        if tail.readableBytes > 0 { try await writer.write(tail) }
                    }
                } catch {
                    failure = failure ?? error
                }
                if let block = cut.by, !(meter.sawTerminalEvent && meter.usage != nil) {
                    await exchange.endCutStream(&meter, by: block, writer: &writer, status: status)
                    return
                }
                // Usage is final only once the stream closed properly: Anthropic's `message_start`
                // carries a provisional output count that a cut stream would otherwise keep.
                if let usage = meter.usage, meter.sawTerminalEvent {
                    await exchange.settle(usage, status: .settled, upstreamStatus: status, upstreamID: meter.responseID, serviceTier: meter.serviceTier)
                } else {
                    let usage = exchange.estimatedUsage(outputBytes: meter.streamedOutputBytes, reported: meter.usage)
                    await exchange.settle(usage, status: .estimated, upstreamStatus: status, upstreamID: meter.responseID, serviceTier: meter.serviceTier)
                }
                if let failure { throw failure }
                try await writer.finish(nil)
            }
        )
    }

    /// Ends a stream the kill switch cut: settles it for what was streamed, then sends the
    /// final error event in the caller's dialect (the client may be gone by then).
    private func endCutStream(_ meter: inout StreamMeter, by block: BlockRecord, writer: inout any ResponseBodyWriter, status: Int) async {
        let usage = estimatedUsage(outputBytes: meter.streamedOutputBytes, reported: meter.usage)
        await settle(usage, status: .killed, upstreamStatus: status, upstreamID: meter.responseID, serviceTier: meter.serviceTier)
        let refusal = GatewayError.blocked(by: block)
        let event = meter.cut(status: Int(refusal.status.code), type: refusal.type, message: refusal.message, extra: refusal.extra)
        gateway.logger.notice("kill switch ended a stream", metadata: ["request.id": "\(requestID)", "scope": "\(block.scope)"])
        try? await writer.write(event)
        try? await writer.finish(nil)
    }

    // MARK: Settlement

    /// What a request without reported usage is charged from: the input bound (the provider
    /// read the input) and the streamed output (a token covers at least one byte). The engine
    /// caps the charge at the hold.
    ///
    /// When the provider already reported part of the usage (input counts at the start of an
    /// Anthropic stream, running totals in Gemini chunks), its input-side counts are kept and the
    /// output is the larger of the reported and the streamed figure.
    func estimatedUsage(outputBytes: Int64, reported: TokenUsage? = nil) -> TokenUsage {
        guard var usage = reported else { return TokenUsage(input: plan.inputTokenBound, output: outputBytes) }
        usage.output = max(usage.output, outputBytes)
        return usage
    }

    /// Settles a request whose outcome is unknown (it may have been generated and billed in
    /// full) at its hold: the ledger row records the bounds the hold covers, charged at the hold.
    @discardableResult
    func settleWorstCase(upstreamStatus: Int?, finishingLimits: Bool = true) async -> LedgerEntry? {
        let bounds = TokenUsage(input: plan.inputTokenBound, output: plan.outputCap.saturatingMultiplied(by: max(1, choices)))
        var settlement = Settlement(usage: bounds, status: .estimated, upstreamStatus: upstreamStatus, reportedServiceTier: reportedTier)
        settlement.chargesHold = true
        if finishingLimits { gateway.rateLimiter.finish(limits, tokens: bounds.totalInput.saturatingAdding(bounds.totalOutput)) }
        return await charge(settlement)
    }

    @discardableResult
    /// - Parameter finishingLimits: false for an attempt that fails over: the request goes on,
    ///   and its rate-limit ticket is settled by the attempt that ends it.
    func settle(
        _ usage: TokenUsage, status: LedgerStatus, upstreamStatus: Int?, upstreamID: String?, serviceTier: String? = nil, finishingLimits: Bool = true
    ) async -> LedgerEntry? {
        let settlement = Settlement(
            usage: usage, status: status, upstreamStatus: upstreamStatus, upstreamID: upstreamID,
            reportedServiceTier: serviceTier ?? reportedTier
        )
        if finishingLimits { gateway.rateLimiter.finish(limits, tokens: usage.totalInput.saturatingAdding(usage.totalOutput)) }
        return await charge(settlement)
    }

    /// Settles the hold; a deployment's served tokens are counted for its status and derived price.
    private func charge(_ settlement: Settlement) async -> LedgerEntry? {
        let entry = await gateway.enforcer.settle(reservation, settlement)
        if let deploymentID, let entry { gateway.deployments.recordServed(deploymentID: deploymentID, usage: entry.usage) }
        return entry
    }

    static func isTimeout(_ error: any Error) -> Bool {
        (error as? UpstreamError)?.code == .timedOut
    }

    /// True when the request certainly never reached the provider (so nothing can be billed).
    static func failedBeforeSending(_ error: any Error) -> Bool {
        (error as? UpstreamError)?.mayHaveBeenSent == false
    }
}
