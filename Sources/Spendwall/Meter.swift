import NIOCore
import SpendwallCore
import SpendwallProviders

/// Prices, holds and settles one provider call the way the gateway does: the request is peeked
/// (model, output cap, `n`), its worst-case cost held before it is sent (an output cap written
/// into the body when it has none, so the hold is a true bound), and the usage the provider
/// reports charged afterwards, at most the hold.
struct Meter: Sendable {
    let ledger: any SpendLedger
    let catalog: PriceCatalog
    let strategy: BudgetStrategy
    let defaultMaxOutputTokens: Int64
    let cleanups: Cleanups

    /// A call ready to send: the body to send (possibly with an output cap added) and its hold.
    struct Call: Sendable {
        var route: EndpointRoute
        var body: ByteBuffer
        var stream: Bool
        var hold: LedgerHold
    }

    /// Peeks, prices and holds a call; applies the strategy when the hold does not fit.
    func prepare(_ route: EndpointRoute, body: ByteBuffer) async throws -> Call {
        let endpoint = route.endpoint
        let peek: RequestPeek
        do {
            peek = try RequestPeeker.peek(body, endpoint: endpoint, pathModel: route.pathModel)
        } catch {
            throw SpendwallError(.invalidRequest, error.message)
        }
        guard let price = catalog.resolve(model: peek.model, provider: endpoint.provider) else {
            throw SpendwallError(.modelNotPriced, "'\(peek.model)' has no \(endpoint.provider.rawValue) price in \(catalog.version); its cost cannot be bounded (price it with `prices:` or record(...) its usage yourself)")
        }
        let plan: AdmissionPlan
        do {
            plan = try AdmissionPlan.make(
                input: AdmissionInput(
                    bodyBytes: Int64(body.readableBytes), hasMedia: peek.hasMedia, requestedOutputCap: peek.outputCap,
                    defaultOutputCap: defaultMaxOutputTokens, choices: peek.choices, producesOutput: endpoint != .openaiEmbeddings
                ),
                model: price
            )
        } catch {
            throw SpendwallError(.invalidRequest, error.message)
        }
        var sent = body
        do {
            if plan.mustWriteOutputCap { sent = try RequestRewriter.setOutputCap(sent, endpoint: endpoint, cap: plan.outputCap) }
            if peek.stream && endpoint == .openaiChatCompletions && !peek.clientRequestedStreamUsage {
                sent = try RequestRewriter.enableStreamUsage(sent)
            }
        } catch {
            throw SpendwallError(.invalidRequest, error.message)
        }
        let hold = try await reserve(plan.hold, model: price, endpoint: endpoint.rawValue)
        return Call(route: route, body: sent, stream: peek.stream || endpoint == .geminiStreamGenerateContent, hold: hold)
    }

    /// Holds `amount`, applying the strategy when it does not fit.
    func reserve(_ amount: Money, model: ModelPrice, endpoint: String) async throws -> LedgerHold {
        do {
            return try await ledger.reserve(amount, model: model, endpoint: endpoint, force: false)
        } catch let refusal as BudgetExceededError {
            // Past here the strategy let the call go ahead over budget.
            _ = try await strategyAllows(refusal)
            return try await ledger.reserve(amount, model: model, endpoint: endpoint, force: true)
        }
    }

    /// Applies the strategy to a hold or charge that does not fit: `refuse` and a `decide` that
    /// says no throw the refusal, `warn` notifies and returns, `terminate` exits.
    @discardableResult
    func strategyAllows(_ refusal: BudgetExceededError) async throws -> Bool {
        switch strategy {
        case .refuse: throw refusal
        case .warn(let notify):
            notify(refusal)
            return true
        case .decide(let allow):
            guard allow(refusal) else { throw refusal }
            return true
        case .terminate(let exitCode):
            StandardError.write("spendwall: \(refusal.description); terminating (exit \(exitCode))\n")
            await cleanups.runAll()
            StandardError.flushAndExit(exitCode)
        }
    }

    /// Charges the usage (at most the hold) and releases the rest; returns what was charged.
    @discardableResult
    func finish(_ hold: LedgerHold, usage: TokenUsage, charge: Money? = nil) async throws -> Money {
        try await ledger.settle(hold, usage: usage, charge: charge)
    }

    /// A call whose outcome is unknown (no answer, or an answer without usage): the provider may
    /// bill the worst case, which the hold is, so the hold is charged.
    func chargeHold(_ hold: LedgerHold) async {
        _ = try? await ledger.settle(hold, usage: .zero, charge: hold.amount)
    }

    /// A call that failed without usage: nothing was generated that the provider bills.
    func release(_ hold: LedgerHold) async {
        _ = try? await ledger.settle(hold, usage: .zero, charge: .zero)
    }
}
