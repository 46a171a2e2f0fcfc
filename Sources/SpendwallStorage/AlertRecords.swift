import SpendwallCore

/// An alert that fired: once per budget, window and kind (`threshold-80`, `forecast`).
public struct AlertRecord: Sendable, Hashable, Codable {
    public var id: String
    public var tenantID: String
    /// The budget, or nil for a test alert.
    public var budgetID: String?
    public var windowStart: Int64
    /// `threshold-50`, `threshold-80`, `threshold-100`, `forecast` or `test`.
    public var kind: String
    public var message: String
    /// The JSON body sent to the webhooks.
    public var payload: String
    public var firedAt: Int64

    public init(id: String, tenantID: String, budgetID: String?, windowStart: Int64, kind: String, message: String, payload: String, firedAt: Int64) {
        self.id = id
        self.tenantID = tenantID
        self.budgetID = budgetID
        self.windowStart = windowStart
        self.kind = kind
        self.message = message
        self.payload = payload
        self.firedAt = firedAt
    }
}

/// One alert's delivery to one webhook: the delivery log.
public struct DeliveryRecord: Sendable, Hashable, Codable {
    /// How long a delivery handed out by `dueDeliveries` stays with its caller: it is not due
    /// again before then, so replicas sharing a store never deliver it twice at once, and a
    /// caller that died is taken over.
    public static let claimMillis: Int64 = 60_000

    public enum Status: String, Sendable, Hashable, Codable {
        /// Waiting for its next attempt.
        case pending
        /// The webhook answered 2xx.
        case delivered
        /// Every attempt failed.
        case failed
    }

    public var id: String
    public var alertID: String
    /// The webhook's URL.
    public var url: String
    /// The JSON body sent (the alert's payload).
    public var body: String
    public var status: Status
    public var attempts: Int
    /// The last failure: an HTTP status or a connection error.
    public var lastError: String?
    public var nextAttemptAt: Int64
    public var deliveredAt: Int64?

    public init(id: String, alertID: String, url: String, body: String, status: Status, attempts: Int, lastError: String?, nextAttemptAt: Int64, deliveredAt: Int64?) {
        self.id = id
        self.alertID = alertID
        self.url = url
        self.body = body
        self.status = status
        self.attempts = attempts
        self.lastError = lastError
        self.nextAttemptAt = nextAttemptAt
        self.deliveredAt = deliveredAt
    }
}
