import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import SpendwallCore
import SpendwallEngine
import SpendwallProviders
import SpendwallStorage
import Tracing

/// One metered request: authenticate, peek, apply policy (route, check), price, plan the hold,
/// check rate limits, reserve, forward (failing over between upstreams), settle.
///
/// What is priced is exactly what is forwarded: the output cap the hold assumes is the cap in the
/// bytes sent upstream (written in when the client gave none).
struct ProxyHandler: Sendable {
    let gateway: Gateway

    func handle(_ request: Request, route: EndpointRoute) async -> Response {
        let requestID = RequestID.make()
        // Without traces, no span: even a no-op span binds a task-local context per request.
        guard gateway.configuration.traces else {
            return await handle(request, route: route, requestID: requestID, timing: RequestFacts())
        }
        // A span per request: ids, the caller's team and model once known, the status, and the
        // refusal reason.
        return await withSpan("spendwall.request", ofKind: .server) { span in
            span.attributes["spendwall.request_id"] = requestID
            span.attributes["spendwall.endpoint"] = route.endpoint.rawValue
            let timing = RequestFacts()
            let response = await handle(request, route: route, requestID: requestID, timing: timing)
            if let caller = timing.identified {
                span.attributes["spendwall.tenant"] = caller.key.tenantID
                span.attributes["spendwall.team"] = caller.key.teamID ?? ""
                span.attributes["spendwall.key_id"] = caller.key.id
                span.attributes["spendwall.model"] = caller.model
            }
            if let reason = timing.refusal { span.attributes["spendwall.refusal"] = reason }
            span.attributes["http.response.status_code"] = Int(response.status.code)
            if response.status.code >= 400 { span.setStatus(SpanStatus(code: .error)) }
            return response
        }
    }

    private func handle(_ request: Request, route: EndpointRoute, requestID: String, timing: RequestFacts) async -> Response {
        let provider = route.endpoint.provider
        let started = ContinuousClock.now
        do {
            let response = try await admitAndForward(request, route: route, requestID: requestID, timing: timing)
            if let upstream = timing.total { gateway.metrics.timed(upstream: upstream, added: ContinuousClock.now - started - upstream) }
            return response
        } catch var error as GatewayError {
            gateway.metrics.refused(error.type)
            recordRefusal(error.type, timing: timing)
            timing.refused(error.type)
            gateway.logger.info("refused", metadata: ["request.id": "\(requestID)", "reason": "\(error.type)", "status": "\(error.status.code)"])
            // Refusals carry a decision too: what was refused, and how far the request got.
            if !error.headers.contains(where: { $0.0 == .spendwallDecision }) {
                error.headers.append((.spendwallDecision, "refused=\(error.type)"))
            }
            return error.response(for: provider, requestID: requestID)
        } catch {
            gateway.logger.error("unexpected gateway failure", metadata: ["request.id": "\(requestID)", "error": "\(error)"])
            return GatewayError(.internalServerError, "internal_error", "The gateway failed unexpectedly; nothing was charged.")
                .response(for: provider, requestID: requestID)
        }
    }

    /// Keeps a refusal of an identified caller for reports, off the answer's path.
    private func recordRefusal(_ reason: String, timing: RequestFacts) {
        guard let caller = timing.identified else { return }
        let refusal = RefusalRecord(
            tenantID: caller.key.tenantID, keyID: caller.key.id, teamID: caller.key.teamID, userID: caller.key.userID, tags: caller.tags,
            model: caller.model, provider: caller.provider, reason: reason, at: gateway.enforcer.clock.nowMillis()
        )
        let store = gateway.controlPlane.store
        let logger = gateway.logger
        Task {
            do { try await store.insertRefusal(refusal) } catch { logger.warning("a refusal could not be recorded for reports", metadata: ["error": "\(error)"]) }
        }
    }

    private func admitAndForward(_ request: Request, route: EndpointRoute, requestID: String, timing: RequestFacts) async throws -> Response {
        let endpoint = route.endpoint
        let provider = endpoint.provider
        let directory = gateway.controlPlane.directory
        let key = try authenticate(request, provider: provider, directory: directory)
        let body = try await collectBody(request)
        guard endpoint.isBillable else {
            let target = try usableTarget(named: provider.rawValue, provider: provider)
            return try await forwardFree(request, body: body, route: route, target: target, origin: target.origin!, requestID: requestID)
        }
        let peek: RequestPeek
        do {
            peek = try RequestPeeker.peek(body, endpoint: endpoint, pathModel: route.pathModel)
        } catch {
            throw GatewayError.invalidRequest(error.message)
        }
        let tags = try attributionTags(request, key: key)
        timing.identify(key: key, tags: tags, model: peek.model, provider: provider)
        if let trace = request.headers[.spendwallTraceID], !trace.isEmpty, trace.utf8.count <= 200 {
            let store = gateway.controlPlane.store
            let tenant = key.tenantID
            Task { try? await store.insertTraceLink(tenantID: tenant, traceID: trace, requestID: requestID) }
        }
        let policy = directory.policy(for: key)
        var priorContext: Int64 = 0
        if let previous = peek.previousResponseID { priorContext = try await priorContextTokens(of: previous, key: key) }
        let gate = PolicyGate(
            gateway: gateway, policy: policy, key: key, endpoint: endpoint, peek: peek, body: body,
            catalog: gateway.catalog.current, priorContextTokens: priorContext
        )
        let policyRoute = try gate.route(requestedTier: request.headers[.spendwallTier])
        let deployment = try deploymentTarget(for: policyRoute.model, key: key, provider: provider)
        var admission = try gate.admit(policyRoute, rates: deployment?.rates)
        let budgets = directory.budgets(for: key, tags: tags)
        if let pressure = gate.pressure(on: budgets), let lower = try gate.downgrade(admission, because: pressure) {
            admission = lower
        }
        var cacheSlot: CacheSlot?
        if let cache = policy.cache, !peek.stream,
           let cacheKey = ResponseCache.key(tenantID: key.tenantID, scope: cache.scope, endpoint: endpoint, pathModel: route.pathModel.map { _ in admission.route.model }, body: admission.body) {
            if let hit = gateway.responseCache.lookup(cacheKey) {
                return await answerFromCache(hit, admission: admission, key: key, tags: tags, requestID: requestID)
            }
            cacheSlot = CacheSlot(key: cacheKey, ttl: .seconds(cache.value))
        }
        let limits: RateLimiter.Ticket
        do {
            limits = try admitRates(admission, policy: policy, key: key, streaming: peek.stream, requestID: requestID)
        } catch {
            throw error.deciding(admission.decision)
        }
        let arrayStream = endpoint == .geminiStreamGenerateContent && request.uri.queryParameters["alt"] != "sse"
        // Until an attempt is sent, a refusal gives the rate limits back what the request took.
        var candidates: [Candidate]
        do {
            candidates = try deployment.map { [Candidate(target: $0.target, admission: admission)] } ?? self.candidates(for: admission, gate: gate)
        } catch {
            gateway.rateLimiter.refund(limits)
            throw error
        }
        var failures: [String] = []
        var index = 0
        var mayDowngrade = true
        while index < candidates.count {
            let candidate = candidates[index]
            let target = candidate.target
            guard gateway.health.allow(target.name) else {
                failures.append("\(target.name)(circuit open)")
                index += 1
                continue
            }
            var attempt = candidate.admission
            attempt.decision.rules += failures.map { "fallback:" + $0 }
            let reservation: Reservation
            switch await reserve(attempt, key: key, tags: tags, budgets: budgets, requestID: requestID, holdID: index == 0 ? nil : "\(requestID)~\(index + 1)") {
            case .success(let reserved):
                reservation = reserved
            case .failure(let refusal):
                gateway.health.release(target.name)
                // Budget pressure: a request that does not fit is downgraded before it is refused,
                // where the budget that refused it says so.
                if mayDowngrade, let budget = refusal.budget, let percent = budgets.first(where: { $0.id == budget.budgetID })?.downgradeAtPercent,
                   let lower = try? gate.downgrade(admission, because: "budget:\(budget.budgetID)>=\(percent)%") {
                    admission = lower
                    do {
                        candidates = try self.candidates(for: lower, gate: gate)
                    } catch {
                        gateway.rateLimiter.refund(limits)
                        throw error
                    }
                    mayDowngrade = false
                    failures = []
                    index = 0
                    continue
                }
                gateway.rateLimiter.refund(limits)
                throw Self.gatewayError(for: refusal).deciding(attempt.decision)
            }
            mayDowngrade = false
            var forwarded = route
            if route.pathModel != nil { forwarded.pathModel = PolicyGate.pathModel(attempt.upstreamModel ?? attempt.route.model) }
            var exchange = Exchange(
                gateway: gateway, reservation: reservation, plan: attempt.plan, endpoint: endpoint, requestID: requestID,
                hideUsageChunk: attempt.hideUsageChunk, streaming: peek.stream, geminiJSONArrayStream: arrayStream,
                choices: peek.choices, limits: limits, cacheSlot: cacheSlot
            )
            exchange.canFailOver = index < candidates.count - 1
            exchange.deploymentID = deployment?.id
            exchange.timing = timing
            var upstream = upstreamRequest(request, body: attempt.body, route: forwarded, target: target)
            if candidates.count > 1, let timeout = gateway.routes[admission.route.model]?.firstByteTimeoutSeconds {
                upstream.firstByteDeadline = .now() + .seconds(timeout)
            }
            switch await exchange.forward(upstream, to: target.origin!) {
            case .answered(let response, let healthy):
                gateway.health.record(target.name, healthy: healthy)
                return response
            case .failedOver(let reason):
                gateway.health.record(target.name, healthy: false)
                gateway.logger.warning("upstream failed; trying the next one", metadata: ["request.id": "\(requestID)", "upstream": "\(target.name)", "reason": "\(reason)"])
                failures.append("\(target.name)(\(reason))")
                index += 1
            }
        }
        // Every upstream's circuit is open, or every attempt failed over: nothing was served.
        gateway.rateLimiter.refund(limits)
        var unavailable = GatewayError(
            .serviceUnavailable, "upstream_unavailable",
            "No upstream of \(admission.route.model) is available: \(failures.joined(separator: ", ")). Nothing was charged for the skipped ones."
        )
        unavailable.headers = [(.retryAfter, String(gateway.health.secondsUntilRetry(candidates.map(\.target.name))))]
        throw unavailable.deciding(admission.decision)
    }

    /// Answers a request from the response cache: nothing reserved, forwarded or charged; the
    /// ledger row records the hit and what it saved.
    private func answerFromCache(_ hit: ResponseCache.Entry, admission: Admission, key: KeyRecord, tags: [String], requestID: String) async -> Response {
        var decision = admission.decision
        decision.rules.append("cache-hit")
        decision.hold = .zero
        await gateway.enforcer.recordCacheHit(
            requestID: requestID, key: key, tags: tags, model: admission.price, endpoint: admission.endpoint.rawValue,
            usage: hit.usage, saved: hit.cost, upstreamID: hit.upstreamID, decision: decision.text
        )
        var fields = HTTPFields()
        fields[.contentType] = hit.contentType
        fields[.spendwallRequestID] = requestID
        fields[.spendwallCache] = "hit"
        fields[.spendwallDecision] = Decision.text(decision.text, charge: .zero)
        return Response(status: .ok, headers: fields, body: ResponseBody(byteBuffer: hit.body))
    }

    /// Checks the policies' rate limits (429 `rate_limited` with `Retry-After` when one refuses);
    /// the ticket is settled with the request, or refunded if it is refused further on.
    private func admitRates(_ admission: Admission, policy: EffectivePolicy, key: KeyRecord, streaming: Bool, requestID: String) throws(GatewayError) -> RateLimiter.Ticket {
        guard !policy.isEmpty else { return .empty }
        let plan = admission.plan
        let tokens = plan.inputTokenBound.saturatingAdding(plan.outputCap.saturatingMultiplied(by: max(1, admission.choices)))
        let checks = RateLimiter.checks(for: policy, tenantID: key.tenantID, tokens: tokens, streaming: streaming)
        switch gateway.rateLimiter.admit(checks) {
        case .success(let ticket):
            for rule in ticket.shadowed {
                gateway.logger.warning("a rate limit in shadow mode would have refused this request", metadata: ["request.id": "\(requestID)", "limit": "\(rule)"])
            }
            return ticket
        case .failure(let refusal):
            var error = GatewayError(HTTPResponse.Status(code: 429, reasonPhrase: "Too Many Requests"), "rate_limited", refusal.message, extra: [
                "limit": refusal.check.rule, "retry_after_seconds": String(refusal.retryAfterSeconds),
            ])
            error.headers = [(.retryAfter, String(refusal.retryAfterSeconds))]
            throw error
        }
    }

    private func reserve(_ admission: Admission, key: KeyRecord, tags: [String], budgets: [BudgetRecord], requestID: String, holdID: String? = nil) async -> Result<Reservation, EnforcementError> {
        do {
            var request = ReservationRequest(
                requestID: requestID, key: key, tags: tags, model: admission.price, endpoint: admission.endpoint.rawValue,
                amount: admission.plan.hold, budgets: budgets, serviceTier: admission.serviceTier, decision: admission.decision.text
            )
            request.holdID = holdID
            return .success(try await gateway.enforcer.reserve(request))
        } catch {
            return .failure(error)
        }
    }

    // MARK: Steps

    func authenticate(_ request: Request, provider: ProviderKind, directory: Directory) throws(GatewayError) -> KeyRecord {
        let presented = try ClientCredential.extract(from: request, provider: provider)
        guard let key = VirtualKey(presented: presented) else {
            throw GatewayError(.unauthorized, "invalid_api_key", "The API key is not a valid Spendwall key (sw-…): check that it was copied whole.")
        }
        guard let record = directory.activeKey(secretHash: key.secretHash) else {
            throw GatewayError(.unauthorized, "invalid_api_key", "The API key is unknown or has been revoked.")
        }
        if let block = directory.block(for: record) { throw GatewayError.blocked(by: block) }
        return record
    }

    func collectBody(_ request: Request) async throws(GatewayError) -> ByteBuffer {
        let limit = gateway.configuration.maxBodyBytes
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit {
            throw GatewayError(.contentTooLarge, "request_too_large", "The request body is \(length) bytes; the gateway accepts at most \(limit).")
        }
        do {
            return try await request.body.collect(upTo: limit)
        } catch {
            throw GatewayError(.contentTooLarge, "request_too_large", "The request body is larger than the gateway's limit of \(limit) bytes.")
        }
    }

    private func attributionTags(_ request: Request, key: KeyRecord) throws(GatewayError) -> [String] {
        var extra: [String] = []
        if let feature = request.headers[.spendwallFeature], !feature.isEmpty { extra.append("feature:" + feature) }
        if let endUser = request.headers[.spendwallEndUser], !endUser.isEmpty { extra.append("end-user:" + endUser) }
        for tag in extra where !key.allows(tag: tag) {
            throw GatewayError(.forbidden, "tag_not_allowed", "This key may not attribute requests to '\(tag)'. Allowed: \(key.allowedTags.isEmpty ? "none" : key.allowedTags.joined(separator: ", ")).")
        }
        return key.allTags(adding: extra)
    }

    private func upstreamRequest(_ request: Request, body: ByteBuffer, route: EndpointRoute, target: UpstreamTarget) -> UpstreamRequest {
        var path = route.endpoint.upstreamPath(model: route.pathModel, geminiVersion: route.geminiVersion ?? "v1beta")
        if let query = Self.forwardedQuery(request.uri.query) { path += "?" + query }
        return UpstreamRequest(target: path, headers: ForwardedHeaders.upstream(from: request.headers, target: target), body: body)
    }

    /// The client's query string minus any `key=` credential.
    static func forwardedQuery(_ query: String?) -> String? {
        guard let query, !query.isEmpty else { return nil }
        let kept = query.split(separator: "&").filter { !$0.hasPrefix("key=") }
        return kept.isEmpty ? nil : kept.joined(separator: "&")
    }

    /// Forwards a request that costs nothing (Anthropic `count_tokens`) without a hold.
    private func forwardFree(
        _ request: Request, body: ByteBuffer, route: EndpointRoute, target: UpstreamTarget, origin: UpstreamOrigin, requestID: String
    ) async throws -> Response {
        let upstream = upstreamRequest(request, body: body, route: route, target: target)
        do {
            let deadline = NIODeadline.now() + .seconds(Int64(gateway.configuration.upstreamTimeoutSeconds))
            let response = try await gateway.upstream.execute(upstream, to: origin, deadline: deadline)
            let bytes = try await response.body.collect(upTo: 16 * 1024 * 1024)
            return Response(
                status: HTTPResponse.Status(code: Int(response.status.code)),
                headers: ForwardedHeaders.downstream(from: response.headers, requestID: requestID),
                body: ResponseBody(byteBuffer: bytes)
            )
        } catch {
            throw GatewayError(.badGateway, "upstream_unreachable", "The \(route.endpoint.provider.displayName) upstream could not be reached.")
        }
    }

    static func gatewayError(for error: EnforcementError) -> GatewayError {
        switch error.code {
        case .budgetExceeded:
            var refusal = GatewayError(HTTPResponse.Status(code: 402, reasonPhrase: "Payment Required"), "budget_exceeded", error.message)
            if let budget = error.budget {
                refusal.extra = [
                    "budget_id": budget.budgetID, "budget_scope": budget.scope.description, "budget_period": budget.period.rawValue,
                    "limit_usd": budget.limit.description, "spent_usd": budget.spent.description,
                    "held_usd": budget.held.description, "requested_usd": budget.requested.description,
                ]
                if let reset = budget.resetsAt { refusal.extra["resets_at"] = ISOTime.format(millis: reset) }
            }
            refusal.headers = [(HTTPField.Name.shouldRetry, "false")]
            return refusal
        case .storageUnavailable:
            // Fail closed: nothing went upstream; the caller may retry shortly.
            var unavailable = GatewayError(.serviceUnavailable, "storage_unavailable", error.message)
            unavailable.headers = [(.retryAfter, "1")]
            return unavailable
        }
    }
}
