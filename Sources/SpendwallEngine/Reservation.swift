import SpendwallCore
import SpendwallStorage

/// What the gateway asks the engine to reserve for one request.
public struct ReservationRequest: Sendable {
    public var requestID: String
    public var key: KeyRecord
    public var tags: [String]
    public var model: ModelPrice
    public var endpoint: String
    public var amount: Money
    public var budgets: [BudgetRecord]
    /// The processing tier the request asks for (OpenAI `service_tier`); nil for the standard
    /// tier. `model` stays the catalog's standard price; the tier is applied when pricing.
    public var serviceTier: ServiceTier?
    /// How policy decided the request, recorded in its ledger row.
    public var decision: String?
    /// The hold's id when it is not the request id: the second and later attempts of a request
    /// that failed over to another upstream (`<request id>~2`), each with its own ledger row.
    public var holdID: String?

    public init(requestID: String, key: KeyRecord, tags: [String], model: ModelPrice, endpoint: String, amount: Money, budgets: [BudgetRecord], serviceTier: ServiceTier? = nil, decision: String? = nil) {
        self.requestID = requestID
        self.key = key
        self.tags = tags
        self.model = model
        self.endpoint = endpoint
        self.amount = amount
        self.budgets = budgets
        self.serviceTier = serviceTier
        self.decision = decision
    }
}

/// A durable hold and everything needed to settle it.
public struct Reservation: Sendable {
    public var record: HoldRecord
    public var request: ReservationRequest
    public var catalogVersion: String
    public var startedAt: Int64
    /// Monotonic start, for latency.
    public var startedAtInstant: ContinuousClock.Instant
}

/// How a request ended, as far as billing is concerned.
public struct Settlement: Sendable {
    public var usage: TokenUsage
    public var status: LedgerStatus
    public var upstreamStatus: Int?
    public var upstreamID: String?
    /// The tier the provider reports having served at (OpenAI's `service_tier` in the body,
    /// Gemini's `x-gemini-service-tier` header); nil when it reported none (the requested tier
    /// then applies).
    public var reportedServiceTier: String?
    /// Charge the whole hold whatever the usage prices at: the outcome is unknown and the
    /// provider may bill the worst case, which the hold is (dearest token kinds included).
    public var chargesHold = false
    /// Charge exactly this (at most the hold) instead of pricing the usage: GPU time.
    public var charge: Money?

    public init(usage: TokenUsage, status: LedgerStatus, upstreamStatus: Int? = nil, upstreamID: String? = nil, reportedServiceTier: String? = nil) {
        self.usage = usage
        self.status = status
        self.upstreamStatus = upstreamStatus
        self.upstreamID = upstreamID
        self.reportedServiceTier = reportedServiceTier
    }

    /// The tier the usage is billed at: the reported one (`default`, `scale` and unknown values
    /// bill at standard rates), else the requested one.
    public func billedTier(requested: ServiceTier?) -> ServiceTier? {
        guard let reportedServiceTier else { return requested }
        return ServiceTier(wireValue: reportedServiceTier)
    }
}
