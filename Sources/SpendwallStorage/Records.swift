import SpendwallCore

/// An organisation: the root of attribution and billing.
public struct TenantRecord: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    public var createdAt: Int64

    public init(id: String, name: String, createdAt: Int64) {
        self.id = id
        self.name = name
        self.createdAt = createdAt
    }
}

/// A team inside a tenant.
public struct TeamRecord: Sendable, Hashable, Codable {
    public var id: String
    public var tenantID: String
    public var name: String
    public var createdAt: Int64

    public init(id: String, tenantID: String, name: String, createdAt: Int64) {
        self.id = id
        self.tenantID = tenantID
        self.name = name
        self.createdAt = createdAt
    }
}

/// A person (or service account) inside a tenant, optionally in a team.
public struct UserRecord: Sendable, Hashable, Codable {
    public var id: String
    public var tenantID: String
    public var teamID: String?
    public var name: String
    public var createdAt: Int64

    public init(id: String, tenantID: String, teamID: String?, name: String, createdAt: Int64) {
        self.id = id
        self.tenantID = tenantID
        self.teamID = teamID
        self.name = name
        self.createdAt = createdAt
    }
}

/// A virtual API key. The secret itself is never stored: only its SHA-256.
public struct KeyRecord: Sendable, Hashable, Codable {
    public enum Status: String, Sendable, Hashable, Codable {
        case active
        case revoked
    }

    public var id: String
    public var name: String
    /// Lowercase hex SHA-256 of the full secret.
    public var secretHash: String
    /// A safe hint to recognise the key, e.g. `sw-…k3Qa`.
    public var hint: String
    public var tenantID: String
    public var teamID: String?
    public var userID: String?
    /// Tags every request with this key carries, e.g. `env:prod`.
    public var tags: [String]
    /// Tags a request may add with `x-spendwall-feature` / `x-spendwall-end-user`, as
    /// `feature:search` or patterns such as `feature:*`.
    public var allowedTags: [String]
    /// Models the key may use; empty means every priced model.
    public var allowedModels: [String]
    /// Output cap written into requests that carry none; nil uses the server default.
    public var defaultMaxOutputTokens: Int64?
    public var status: Status
    public var createdAt: Int64
    public var revokedAt: Int64?

    public init(
        id: String, name: String, secretHash: String, hint: String, tenantID: String, teamID: String?, userID: String?,
        tags: [String], allowedTags: [String], allowedModels: [String], defaultMaxOutputTokens: Int64?,
        status: Status, createdAt: Int64, revokedAt: Int64?
    ) {
        self.id = id
        self.name = name
        self.secretHash = secretHash
        self.hint = hint
        self.tenantID = tenantID
        self.teamID = teamID
        self.userID = userID
        self.tags = tags
        self.allowedTags = allowedTags
        self.allowedModels = allowedModels
        self.defaultMaxOutputTokens = defaultMaxOutputTokens
        self.status = status
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }
}

/// A spending limit on one scope for a period.
public struct BudgetRecord: Sendable, Hashable, Codable {
    public var id: String
    public var tenantID: String
    public var scope: Scope
    public var period: BudgetPeriod
    public var limit: Money
    /// IANA time zone that calendar periods follow, e.g. `UTC`, `Europe/Berlin`.
    public var timeZone: String
    public var createdAt: Int64
    /// Budget pressure: from this share of the limit used (spent + held), requests for a model
    /// of a dearer tier are served by the cheapest tier instead, and a request that would not
    /// fit is downgraded before it is refused. Nil: no downgrade.
    public var downgradeAtPercent: Int?
    /// Shadow mode: the budget is evaluated, logged and counted, never enforced.
    public var shadow: Bool
    /// Spend thresholds (percent of the limit) that fire alerts; nil: 50, 80 and 100.
    public var alertThresholds: [Int]?

    public init(id: String, tenantID: String, scope: Scope, period: BudgetPeriod, limit: Money, timeZone: String, createdAt: Int64, downgradeAtPercent: Int? = nil, shadow: Bool = false, alertThresholds: [Int]? = nil) {
        self.id = id
        self.tenantID = tenantID
        self.scope = scope
        self.period = period
        self.limit = limit
        self.timeZone = timeZone
        self.createdAt = createdAt
        self.downgradeAtPercent = downgradeAtPercent
        self.shadow = shadow
        self.alertThresholds = alertThresholds
    }
}

/// A durable hold: written before a request goes upstream, deleted when its ledger row is written.
public struct HoldRecord: Sendable, Hashable, Codable {
    public var hold: Hold
    public var requestID: String
    public var keyID: String
    public var tenantID: String
    public var provider: ProviderKind
    public var model: String
    /// The request's attribution tags, so a hold charged after a crash is attributed like any row.
    public var tags: [String]
    public var createdAt: Int64
    public var expiresAt: Int64

    public init(hold: Hold, requestID: String, keyID: String, tenantID: String, provider: ProviderKind, model: String, tags: [String] = [], createdAt: Int64, expiresAt: Int64) {
        self.hold = hold
        self.requestID = requestID
        self.keyID = keyID
        self.tenantID = tenantID
        self.provider = provider
        self.model = model
        self.tags = tags
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

/// How a ledger row's charge was determined.
public enum LedgerStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// Charged from the usage the provider reported.
    case settled
    /// The stream broke without usage: charged from what was streamed, at most the hold.
    case estimated
    /// The kill switch ended the stream: charged like `estimated`, from what was streamed (and any
    /// usage the provider had reported), at most the hold.
    case killed
    /// Answered from the gateway's response cache: nothing charged, nothing sent upstream;
    /// `listCost` is what the answer cost when it was first generated, the money saved.
    case cached
    /// The gateway died or the request hung: charged the full hold.
    case expired
    /// The provider answered with an error and reported no usage: nothing charged.
    case upstreamError = "upstream_error"
    /// The request never reached the provider (connection refused, cancelled before sending).
    case notSent = "not_sent"
}

/// One append-only ledger row: a request that held budget, and what it was charged.
public struct LedgerEntry: Sendable, Hashable, Codable {
    public var requestID: String
    public var holdID: HoldID
    public var keyID: String
    public var tenantID: String
    public var teamID: String?
    public var userID: String?
    public var tags: [String]
    public var provider: ProviderKind
    public var model: String
    public var endpoint: String
    public var usage: TokenUsage
    /// Unit prices the charge was computed with (pico-dollars per token).
    public var rates: TokenRates
    public var catalogVersion: String
    /// What budgets were charged: at most `hold`.
    public var cost: Money
    /// What the price table says the usage costs (differs from `cost` only if usage beat the hold).
    public var listCost: Money
    public var hold: Money
    public var status: LedgerStatus
    public var upstreamStatus: Int?
    /// The provider's id of the response (`chatcmpl-…`, `msg_…`), when known.
    public var upstreamID: String?
    public var latencyMillis: Int64
    public var startedAt: Int64
    public var finishedAt: Int64
    /// The budgets and windows the charge went to.
    public var shares: [HoldShare]
    /// How policy decided the request (`x-spendwall-decision`), when policy changed or checked it.
    public var decision: String?

    public init(
        requestID: String, holdID: HoldID, keyID: String, tenantID: String, teamID: String?, userID: String?, tags: [String],
        provider: ProviderKind, model: String, endpoint: String, usage: TokenUsage, rates: TokenRates, catalogVersion: String,
        cost: Money, listCost: Money, hold: Money, status: LedgerStatus, upstreamStatus: Int?, upstreamID: String?,
        latencyMillis: Int64, startedAt: Int64, finishedAt: Int64, shares: [HoldShare], decision: String? = nil
    ) {
        self.requestID = requestID
        self.holdID = holdID
        self.keyID = keyID
        self.tenantID = tenantID
        self.teamID = teamID
        self.userID = userID
        self.tags = tags
        self.provider = provider
        self.model = model
        self.endpoint = endpoint
        self.usage = usage
        self.rates = rates
        self.catalogVersion = catalogVersion
        self.cost = cost
        self.listCost = listCost
        self.hold = hold
        self.status = status
        self.upstreamStatus = upstreamStatus
        self.upstreamID = upstreamID
        self.latencyMillis = latencyMillis
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.shares = shares
        self.decision = decision
    }
}

/// Spend summed over one group of ledger rows.
public struct SpendRow: Sendable, Hashable, Codable {
    /// The group: a scope id, a model name, or a tag, depending on the query.
    public var group: String
    public var requests: Int64
    public var usage: TokenUsage
    /// Everything charged: requests and GPU time.
    public var cost: Money
    /// The part of `cost` that is GPU time of self-hosted deployments (ledger rows of kind
    /// `gpu_time`), kept apart from what requests cost; `requests` does not count those rows.
    public var gpuTimeCost: Money
    /// What the answers served from the response cache would have cost (their rows' list cost):
    /// the money the cache saved.
    public var cacheSavings: Money

    public init(group: String, requests: Int64, usage: TokenUsage, cost: Money, gpuTimeCost: Money = .zero, cacheSavings: Money = .zero) {
        self.group = group
        self.requests = requests
        self.usage = usage
        self.cost = cost
        self.gpuTimeCost = gpuTimeCost
        self.cacheSavings = cacheSavings
    }

    /// What requests cost: `cost` without GPU time.
    public var requestCost: Money { cost - gpuTimeCost }
}

/// What to sum in a spend query.
public struct SpendQuery: Sendable, Hashable, Codable {
    public enum Grouping: String, Sendable, Hashable, Codable, CaseIterable {
        case tenant, team, user, key, tag, model, provider, status
    }

    public var tenantID: String?
    public var groupBy: Grouping
    /// Inclusive start, milliseconds since the epoch (by `startedAt`).
    public var from: Int64?
    /// Exclusive end.
    public var to: Int64?

    public init(tenantID: String? = nil, groupBy: Grouping, from: Int64? = nil, to: Int64? = nil) {
        self.tenantID = tenantID
        self.groupBy = groupBy
        self.from = from
        self.to = to
    }
}
