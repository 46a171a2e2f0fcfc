import SpendwallCore

/// A request refused before anything went upstream, kept for reports (refusals by reason).
public struct RefusalRecord: Sendable, Hashable, Codable {
    public var tenantID: String
    public var keyID: String
    public var teamID: String?
    public var userID: String?
    public var tags: [String]
    public var model: String
    public var provider: ProviderKind
    /// The error type: `budget_exceeded`, `rate_limited`, `model_not_allowed`, …
    public var reason: String
    public var at: Int64

    public init(tenantID: String, keyID: String, teamID: String?, userID: String?, tags: [String], model: String, provider: ProviderKind, reason: String, at: Int64) {
        self.tenantID = tenantID
        self.keyID = keyID
        self.teamID = teamID
        self.userID = userID
        self.tags = tags
        self.model = model
        self.provider = provider
        self.reason = reason
        self.at = at
    }
}

/// How a request's (or a traced task's) result was judged: `POST /v1/outcomes`.
public struct OutcomeRecord: Sendable, Hashable, Codable {
    public enum Verdict: String, Sendable, Hashable, Codable, CaseIterable {
        case accepted, rejected, reworked
    }

    public var tenantID: String
    public var requestID: String
    public var verdict: Verdict
    /// The key that reported it.
    public var keyID: String
    public var at: Int64

    public init(tenantID: String, requestID: String, verdict: Verdict, keyID: String, at: Int64) {
        self.tenantID = tenantID
        self.requestID = requestID
        self.verdict = verdict
        self.keyID = keyID
        self.at = at
    }
}

/// Refusals of one group, by reason.
public struct RefusalCount: Sendable, Hashable, Codable {
    public var group: String
    public var reason: String
    public var count: Int64

    public init(group: String, reason: String, count: Int64) {
        self.group = group
        self.reason = reason
        self.count = count
    }
}

/// Outcomes of one group: how many of each verdict, and what the requests judged cost.
public struct OutcomeSummary: Sendable, Hashable, Codable {
    public var group: String
    public var accepted: Int64
    public var rejected: Int64
    public var reworked: Int64
    /// Cost of the requests whose latest verdict is `accepted`.
    public var acceptedCost: Money
    /// Cost of the requests judged `reworked`: the rework loops.
    public var reworkCost: Money

    public init(group: String, accepted: Int64 = 0, rejected: Int64 = 0, reworked: Int64 = 0, acceptedCost: Money = .zero, reworkCost: Money = .zero) {
        self.group = group
        self.accepted = accepted
        self.rejected = rejected
        self.reworked = reworked
        self.acceptedCost = acceptedCost
        self.reworkCost = reworkCost
    }
}

/// A ledger row with its place in the store's write order, for telemetry export.
public struct PositionedEntry: Sendable, Hashable {
    public var position: Int64
    public var entry: LedgerEntry

    public init(position: Int64, entry: LedgerEntry) {
        self.position = position
        self.entry = entry
    }
}
