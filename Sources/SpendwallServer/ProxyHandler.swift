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

/// One metered request: authenticate, peek, price, plan the hold, reserve, forward, settle.
///
/// What is priced is exactly what is forwarded: the output cap the hold assumes is the cap in the
/// bytes sent upstream (written in when the client gave none).
struct ProxyHandler: Sendable {
    let gateway: Gateway

    func handle(_ request: Request, route: EndpointRoute) async -> Response {
        let provider = route.endpoint.provider
        let requestID = RequestID.make()
        do {
            return try await admitAndForward(request, route: route, requestID: requestID)
        } catch let error as GatewayError {
            return error.response(for: provider, requestID: requestID)
        } catch {
            gateway.logger.error("unexpected gateway failure", metadata: ["request.id": "\(requestID)", "error": "\(error)"])
            return GatewayError(.internalServerError, "internal_error", "The gateway failed unexpectedly; nothing was charged.")
                .response(for: provider, requestID: requestID)
        }
    }

    private func admitAndForward(_ request: Request, route: EndpointRoute, requestID: String) async throws -> Response {
        let endpoint = route.endpoint
        let provider = endpoint.provider
        let key = try authenticate(request, provider: provider)
        guard let target = gateway.targets[provider], target.apiKey != nil else {
            let variable = gateway.targets[provider]?.apiKeyEnv ?? "the provider key variable"
            throw GatewayError(.serviceUnavailable, "upstream_not_configured", "No \(provider.displayName) upstream credential is configured: set \(variable) before starting the gateway, or use the simulator.")
        }
        guard let origin = target.origin else {
            throw GatewayError(.serviceUnavailable, "upstream_not_configured", "The \(provider.displayName) base_url '\(target.baseURL)' is not an http:// or https:// URL.")
        }
        var body = try await collectBody(request)
        guard endpoint.isBillable else {
            return try await forwardFree(request, body: body, route: route, target: target, origin: origin, requestID: requestID)
        }
        let peek: RequestPeek
        do {
            peek = try RequestPeeker.peek(body, endpoint: endpoint, pathModel: route.pathModel)
        } catch {
            throw GatewayError.invalidRequest(error.message)
        }
        let tags = try attributionTags(request, key: key)
        guard key.allows(model: peek.model) else {
            throw GatewayError(.forbidden, "model_not_allowed", "This key may not use the model '\(peek.model)'. Allowed: \(key.allowedModels.joined(separator: ", ")).")
        }
        let catalog = gateway.catalog.current
        guard let price = catalog.resolve(model: peek.model, provider: provider) else {
            throw GatewayError(.badRequest, "model_not_priced", "The model '\(peek.model)' has no price in Spendwall's catalog (\(catalog.version)), so its cost cannot be bounded. Check the name with `spendwall lookup --model \(peek.model)`, or price it under `prices:` in the config.")
        }
        // The hold is priced at the processing tier asked for (priority bills ~1.7–2× standard).
        let serviceTier = peek.serviceTier.flatMap(ServiceTier.init(wireValue:))
        let defaultCap = key.defaultMaxOutputTokens ?? gateway.configuration.defaultMaxOutputTokens
        let plan: AdmissionPlan
        do {
            plan = try AdmissionPlan.make(
                input: AdmissionInput(
                    bodyBytes: Int64(body.readableBytes), hasMedia: peek.hasMedia, requestedOutputCap: peek.outputCap,
                    defaultOutputCap: defaultCap, choices: peek.choices, producesOutput: endpoint != .openaiEmbeddings
                ),
                model: price.served(at: serviceTier)
            )
        } catch {
            throw GatewayError(.badRequest, "invalid_max_tokens", error.message)
        }
        var hideUsageChunk = false
        do {
            if plan.mustWriteOutputCap {
                body = try RequestRewriter.setOutputCap(body, endpoint: endpoint, cap: plan.outputCap)
            }
            if endpoint == .openaiChatCompletions && peek.stream && !peek.clientRequestedStreamUsage {
                body = try RequestRewriter.enableStreamUsage(body)
                hideUsageChunk = true
            }
        } catch {
            throw GatewayError.invalidRequest(error.message)
        }
        let budgets = gateway.controlPlane.directory.budgets(for: key, tags: tags)
        let reservation: Reservation
        do {
            reservation = try await gateway.enforcer.reserve(ReservationRequest(
                requestID: requestID, key: key, tags: tags, model: price, endpoint: endpoint.rawValue,
                amount: plan.hold, budgets: budgets, serviceTier: serviceTier
            ))
        } catch {
            throw Self.gatewayError(for: error)
        }
        let exchange = Exchange(
            gateway: gateway, reservation: reservation, plan: plan, endpoint: endpoint, requestID: requestID,
            hideUsageChunk: hideUsageChunk, streaming: peek.stream,
            geminiJSONArrayStream: endpoint == .geminiStreamGenerateContent && request.uri.queryParameters["alt"] != "sse",
            choices: peek.choices
        )
        return await exchange.forward(upstreamRequest(request, body: body, route: route, target: target), to: origin)
    }

    // MARK: Steps

    private func authenticate(_ request: Request, provider: ProviderKind) throws(GatewayError) -> KeyRecord {
        let presented = try ClientCredential.extract(from: request, provider: provider)
        guard let key = VirtualKey(presented: presented) else {
            throw GatewayError(.unauthorized, "invalid_api_key", "The API key is not a valid Spendwall key (sw-…): check that it was copied whole.")
        }
        let directory = gateway.controlPlane.directory
        guard let record = directory.activeKey(secretHash: key.secretHash) else {
            throw GatewayError(.unauthorized, "invalid_api_key", "The API key is unknown or has been revoked.")
        }
        if let block = directory.block(for: record) { throw GatewayError.blocked(by: block) }
        return record
    }

    private func collectBody(_ request: Request) async throws(GatewayError) -> ByteBuffer {
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
            return GatewayError(.serviceUnavailable, "storage_unavailable", error.message)
        }
    }
}
