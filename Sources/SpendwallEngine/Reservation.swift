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

    public init(requestID: String, key: KeyRecord, tags: [String], model: ModelPrice, endpoint: String, amount: Money, budgets: [BudgetRecord]) {
        self.requestID = requestID
        self.key = key
        self.tags = tags
        self.model = model
        self.endpoint = endpoint
        self.amount = amount
        self.budgets = budgets
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

    public init(usage: TokenUsage, status: LedgerStatus, upstreamStatus: Int? = nil, upstreamID: String? = nil) {
        self.usage = usage
        self.status = status
        self.upstreamStatus = upstreamStatus
        self.upstreamID = upstreamID
    }
}
