import HTTPTypes
import NIOCore
import SpendwallCore
import SpendwallEngine
import SpendwallProviders
import SpendwallStorage

/// One way to admit a request: the model that serves it, its price and hold, and the exact bytes
/// to forward (what is priced is what is forwarded).
struct Admission: Sendable {
    var route: PolicyRoute
    /// The model's name at the upstream, when a route renames it.
    var upstreamModel: String?
    var endpoint: Endpoint
    var price: ModelPrice
    var serviceTier: ServiceTier?
    var plan: AdmissionPlan
    /// Completions per request (`n`).
    var choices: Int64
    var body: ByteBuffer
    var hideUsageChunk: Bool
    var decision: Decision
}

/// Applies the policies in force to one request: routes it (tiers, economy by default), checks
/// its model, provider and caps, prices and plans it, and downgrades it under budget pressure.
struct PolicyGate {
    let gateway: Gateway
    let policy: EffectivePolicy
    let key: KeyRecord
    let endpoint: Endpoint
    let peek: RequestPeek
    let body: ByteBuffer
    let catalog: PriceCatalog
    /// Input tokens of the stored conversation the request continues (`previous_response_id`).
    var priorContextTokens: Int64 = 0

    var provider: ProviderKind { endpoint.provider }

    /// The model that serves the request, by the policies' tiers and lists.
    func route(requestedTier: String?) throws(GatewayError) -> PolicyRoute {
        guard !policy.isEmpty || requestedTier != nil else { return PolicyRoute(model: peek.model) }
        do {
            return try policy.route(PolicyQuery(model: peek.model, provider: provider, requestedTier: requestedTier), canServe: canServe)
        } catch {
            throw GatewayError(policy: error)
        }
    }

    private func canServe(_ model: String) -> Bool {
        catalog.resolve(model: model, provider: provider) != nil
    }

    /// Prices, checks and plans the request served by `route`, and rewrites its body to match.
    ///
    /// - Parameters:
    ///   - upstreamModel: the model's name at the upstream that will serve it, when it differs.
    ///   - rates: that upstream's price, when configured with the route.
    func admit(_ route: PolicyRoute, upstreamModel: String? = nil, rates: TokenRates? = nil) throws(GatewayError) -> Admission {
        guard key.allows(model: route.model) else {
            throw GatewayError(.forbidden, "model_not_allowed", "This key may not use the model '\(route.model)'. Allowed: \(key.allowedModels.joined(separator: ", ")).")
        }
        var rules = route.rules
        let served = upstreamModel ?? route.model
        let price: ModelPrice
        if let rates {
            price = ModelPrice(name: served, provider: provider, mode: .chat, rates: rates)
        } else if let priced = catalog.resolve(model: served, provider: provider) ?? catalog.resolve(model: route.model, provider: provider) {
            price = priced
        } else if let fallback = policy.unpriced, case .price(let input, let output) = fallback.value {
            price = ModelPrice(name: route.model, provider: provider, mode: .chat, rates: TokenRates(input: input, output: output))
            rules.append("unpriced-fallback@\(fallback.scope)")
        } else {
            throw GatewayError(.badRequest, "model_not_priced", "The model '\(route.model)' has no price in Spendwall's catalog (\(catalog.version)), so its cost cannot be bounded. Check the name with `spendwall lookup --model \(route.model)`, or price it under `prices:` in the config.")
        }
        do {
            try policy.check(outputCap: peek.outputCap, choices: peek.choices, estimatedInputTokens: Self.estimatedInputTokens(bodyBytes: body.readableBytes).saturatingAdding(priorContextTokens))
        } catch {
            throw GatewayError(policy: error)
        }
        // The hold is priced at the processing tier asked for (priority bills ~1.7–2× standard).
        let serviceTier = peek.serviceTier.flatMap(ServiceTier.init(wireValue:))
        let defaultCap = policy.defaultOutputCap(key.defaultMaxOutputTokens ?? gateway.configuration.defaultMaxOutputTokens)
        let plan: AdmissionPlan
        do {
            plan = try AdmissionPlan.make(
                input: AdmissionInput(
                    bodyBytes: Int64(body.readableBytes), hasMedia: peek.hasMedia, requestedOutputCap: peek.outputCap,
                    defaultOutputCap: defaultCap, choices: peek.choices, producesOutput: endpoint != .openaiEmbeddings,
                    priorContextTokens: priorContextTokens
                ),
                model: price.served(at: serviceTier)
            )
        } catch {
            throw GatewayError(.badRequest, "invalid_max_tokens", error.message)
        }
        do { try policy.check(hold: plan.hold) } catch { throw GatewayError(policy: error) }

        var forwarded = body
        var hideUsageChunk = false
        do {
            if served != peek.model {
                forwarded = try RequestRewriter.setModel(forwarded, endpoint: endpoint, model: served)
            }
            if plan.mustWriteOutputCap {
                forwarded = try RequestRewriter.setOutputCap(forwarded, endpoint: endpoint, cap: plan.outputCap)
            }
            if endpoint == .openaiChatCompletions && peek.stream && !peek.clientRequestedStreamUsage {
                forwarded = try RequestRewriter.enableStreamUsage(forwarded)
                hideUsageChunk = true
            }
        } catch {
            throw GatewayError.invalidRequest(error.message)
        }
        let decision = Decision(
            model: route.model, provider: provider, servedAs: upstreamModel, tier: route.tier, policies: policy.levels.map(\.scope),
            rules: rules, hold: plan.hold
        )
        return Admission(
            route: route, upstreamModel: upstreamModel, endpoint: endpoint, price: price, serviceTier: serviceTier, plan: plan, choices: peek.choices, body: forwarded,
            hideUsageChunk: hideUsageChunk, decision: decision
        )
    }

    /// The first budget in scope used past its downgrade threshold, as a decision rule.
    func pressure(on budgets: [BudgetRecord]) -> String? {
        guard !policy.tiers.isEmpty else { return nil }
        for budget in budgets {
            guard !budget.shadow, let percent = budget.downgradeAtPercent, let account = gateway.enforcer.account(budgetID: budget.id) else { continue }
            let used = account.spent + account.held
            // used / limit ≥ percent / 100, in integers.
            if used.nanodollars.saturatingMultiplied(by: 100) >= account.limit.nanodollars.saturatingMultiplied(by: Int64(percent)) {
                return "budget:\(budget.id)>=\(percent)%"
            }
        }
        return nil
    }

    /// The admission on the cheapest tier instead, or nil when there is none to move to.
    func downgrade(_ admission: Admission, because reason: String) throws(GatewayError) -> Admission? {
        guard var lower = policy.downgrade(admission.route, canServe: canServe) else { return nil }
        lower.rules.insert("budget-pressure:\(reason)", at: lower.rules.count - 1)
        return try admit(lower)
    }

    /// The context-budget estimate: about four bytes of body per token.
    static func estimatedInputTokens(bodyBytes: Int) -> Int64 {
        (Int64(bodyBytes) + 3) / 4
    }

    /// The model as the Gemini path names it (without a `gemini/` catalog prefix).
    static func pathModel(_ model: String) -> String {
        model.hasPrefix("gemini/") ? String(model.dropFirst("gemini/".count)) : model
    }
}
