import AsyncHTTPClient
import NIOCore
import Foundation
import SpendwallCatalog
import SpendwallCore
import SpendwallProviders

/// Budgets inside a Swift app that calls providers directly.
///
/// ```swift
/// let spend = SpendwallClient(tenantID: "acme", budget: .dollars(10))
/// let openAI = spend.openAI(apiKey: key)
/// let reply = try await openAI.chat(model: "gpt-4o", messages: [.user("Hello!")])
/// print(spend.spent, spend.remaining)
/// ```
///
/// Every call is priced from Spendwall's catalog, its worst-case cost held before it is sent
/// (an output cap written into the request when it has none), and the usage the provider reports
/// charged afterwards, at most the hold — the gateway's rules, in process, safe under any
/// concurrency. When a call does not fit, the ``BudgetStrategy`` decides. With
/// ``init(gateway:key:strategy:httpClient:catalog:)`` the holds go to a Spendwall gateway's
/// central budgets instead, shared by every process using the key.
public final class SpendwallClient: Sendable {
    /// The tenant the spend is attributed to (in remote mode: the key's).
    public let tenantID: String
    let ledger: any SpendLedger
    let meter: Meter
    let http: HTTPClient
    let cleanups = Cleanups()

    /// In-process mode: a budget kept in this process.
    ///
    /// - Parameters:
    ///   - defaultMaxOutputTokens: the output cap written into requests that carry none.
    ///   - catalog: the prices; default the catalog bundled with Spendwall.
    public init(
        tenantID: String = "default", budget: Budget, strategy: BudgetStrategy = .refuse, defaultMaxOutputTokens: Int64 = 4096,
        httpClient: HTTPClient = .shared, catalog: PriceCatalog? = nil
    ) {
        self.tenantID = tenantID
        let ledger = LocalLedger(limit: budget.limit)
        self.ledger = ledger
        self.http = httpClient
        self.meter = Meter(ledger: ledger, catalog: catalog ?? Self.bundledCatalog, strategy: strategy, defaultMaxOutputTokens: defaultMaxOutputTokens, cleanups: cleanups)
    }

    /// Remote mode: holds and charges go to a Spendwall gateway's budgets for the key (`sw-…`),
    /// shared by every process that uses it. Fails closed: when the gateway cannot be reached a
    /// call is not made (``SpendwallError/Code/gatewayUnavailable``) once `gatewayTimeout` has
    /// passed without an answer. The gateway's budgets are enforced there: a hold it refuses is
    /// refused whatever the strategy (`warn` and `decide` are told; `terminate` exits).
    public init(
        gateway: URL, key: String, strategy: BudgetStrategy = .refuse, defaultMaxOutputTokens: Int64 = 4096, httpClient: HTTPClient = .shared,
        gatewayTimeout: Duration = .seconds(5), catalog: PriceCatalog? = nil
    ) {
        self.tenantID = "gateway"
        let ledger = GatewayLedger(
            baseURL: gateway.absoluteString, key: key, http: httpClient, timeout: .milliseconds(Int64(gatewayTimeout.wholeMilliseconds))
        )
        self.ledger = ledger
        self.http = httpClient
        self.meter = Meter(ledger: ledger, catalog: catalog ?? Self.bundledCatalog, strategy: strategy, defaultMaxOutputTokens: defaultMaxOutputTokens, cleanups: cleanups)
    }

    /// The catalog shipped with Spendwall, loaded once.
    static let bundledCatalog: PriceCatalog = (try? BundledCatalog.load()) ?? PriceCatalog(version: "none (the bundled catalog did not load)", entries: [:])

    // MARK: Figures

    /// Charged so far (in remote mode: as of the last answer from the gateway).
    public var spent: Money { ledger.lastStanding.spent }
    /// Held by calls in flight.
    public var held: Money { ledger.lastStanding.held }
    /// What is left to hold: limit − spent − held, never negative.
    public var remaining: Money { ledger.lastStanding.remaining }
    /// The budget's limit.
    public var limit: Money { ledger.lastStanding.limit }
    /// The figures now; in remote mode read from the gateway.
    public func standing() async throws -> BudgetStanding { try await ledger.standing() }

    // MARK: Providers

    /// OpenAI (or any OpenAI-compatible server at `baseURL`).
    public func openAI(apiKey: String, baseURL: String = "https://api.openai.com") -> OpenAIClient {
        OpenAIClient(connection: ProviderConnection(provider: .openai, baseURL: baseURL, apiKey: apiKey, http: http, meter: meter))
    }

    /// Anthropic.
    public func anthropic(apiKey: String, baseURL: String = "https://api.anthropic.com") -> AnthropicClient {
        AnthropicClient(connection: ProviderConnection(provider: .anthropic, baseURL: baseURL, apiKey: apiKey, http: http, meter: meter))
    }

    /// Google Gemini.
    public func gemini(apiKey: String, baseURL: String = "https://generativelanguage.googleapis.com") -> GeminiClient {
        GeminiClient(connection: ProviderConnection(provider: .gemini, baseURL: baseURL, apiKey: apiKey, http: http, meter: meter))
    }

    // MARK: Anything else

    /// Charges a call made some other way, after the fact: priced from the catalog (`provider`
    /// narrows the lookup), or at the given dollars per million tokens for a model it does not
    /// price. The charge always lands (the money is spent); a call that pushes the budget past
    /// its limit goes through the strategy like a refused hold (`refuse` throws
    /// ``BudgetExceededError`` after recording, `terminate` exits).
    @discardableResult
    public func record(
        model: String, provider: ProviderKind? = nil, inputTokens: Int64, outputTokens: Int64, cachedInputTokens: Int64 = 0,
        inputPerMillion: String? = nil, outputPerMillion: String? = nil
    ) async throws -> Money {
        let usage = TokenUsage(input: inputTokens, cachedInput: cachedInputTokens, output: outputTokens)
        let price: ModelPrice
        if let inputPerMillion, let outputPerMillion {
            do {
                let rates = TokenRates(input: try PerMillionPrice.picodollarsPerToken(inputPerMillion), output: try PerMillionPrice.picodollarsPerToken(outputPerMillion))
                price = ModelPrice(name: model, provider: provider ?? .openai, mode: .chat, rates: rates)
            } catch {
                throw SpendwallError(.invalidRequest, "record(\(model)): \(error.reason)")
            }
        } else if let found = (provider.map { [$0] } ?? ProviderKind.allCases).lazy.compactMap({ self.meter.catalog.resolve(model: model, provider: $0) }).first {
            price = found
        } else {
            throw SpendwallError(.modelNotPriced, "'\(model)' has no price in \(meter.catalog.version); pass inputPerMillion and outputPerMillion")
        }
        let cost = CostCalculator.price(usage, model: price).cost
        let hold: LedgerHold
        do {
            hold = try await ledger.reserve(cost, model: price, endpoint: "record", force: false)
        } catch let refusal as BudgetExceededError {
            hold = try await ledger.reserve(cost, model: price, endpoint: "record", force: true)
            _ = try await ledger.settle(hold, usage: usage, charge: cost)
            try await meter.strategyAllows(refusal)
            return cost
        }
        return try await ledger.settle(hold, usage: usage, charge: cost)
    }

    /// Registers work to run before the `terminate` strategy exits the process (flush logs,
    /// checkpoint state); run in the order registered.
    public func onTerminate(_ cleanup: @escaping @Sendable () async -> Void) {
        cleanups.add(cleanup)
    }
}

extension SpendwallClient {
    /// A GPU timer: `rate` in dollars per GPU-hour, or the cheapest on-demand price of `gpu` in
    /// Spendwall's GPU price table; times `count`. Each `interval` is held before it starts.
    public func gpuTimer(gpu: String, count: Int = 1, rate: String? = nil, interval: Duration = .seconds(5)) throws -> GPUTimer {
        guard count > 0 else { throw SpendwallError(.invalidRequest, "count must be positive") }
        if let rate {
            guard let perGPU = GPURate(dollarsPerHour: rate), perGPU.nanodollarsPerHour > 0 else {
                throw SpendwallError(.invalidRequest, "rate '\(rate)' is not a positive dollar amount per GPU-hour")
            }
            return GPUTimer(meter: meter, rate: perGPU.times(count), rateSource: "rate \(perGPU) × \(count)", interval: interval)
        }
        let table: GPUPriceTable
        let model: GPUModel
        do {
            table = try BundledGPUPrices.load()
            model = try table.model(named: gpu)
        } catch let error as GPULookupError {
            throw SpendwallError(.invalidRequest, error.message)
        } catch {
            throw SpendwallError(.invalidRequest, "the GPU price table did not load: \(error)")
        }
        guard let row = table.offers(gpuModel: model.id).first, let perGPU = row.perGPU(spot: false) else {
            throw SpendwallError(.invalidRequest, "no on-demand price for \(model.id); pass rate:")
        }
        return GPUTimer(meter: meter, rate: perGPU.times(count), rateSource: "\(row.provider) \(row.sku) \(perGPU) per GPU (observed \(row.observedOn)) × \(count)", interval: interval)
    }
}
