import SpendwallCore
import SpendwallStorage

/// A deployment with the figures `spendwall status` shows, computed at one instant.
public struct DeploymentStatus: Sendable, Codable, Hashable {
    public var deployment: DeploymentRecord
    /// When the figures were computed (milliseconds since the epoch).
    public var at: Int64
    /// Since launch, or launch to end.
    public var uptimeMillis: Int64
    /// GPU time used so far, charged or still held.
    public var gpuCost: Money
    public var budgetLeft: Money
    /// How long the budget lasts at the deployment's rate (nil once it has ended).
    public var timeLeftMillis: Int64?
    public var tokensServed: Int64
    /// GPU cost so far per million tokens served, idle time included; nil before any token.
    public var costPerMillionTokens: Money?
    /// What callers are charged per token now.
    public var tokenRates: TokenRates
    /// `configured` or `derived`.
    public var tokenPriceBasis: String

    public init(deployment: DeploymentRecord, at now: Int64) {
        self.deployment = deployment
        self.at = now
        let end = deployment.state.isLive ? now : (deployment.endedAt ?? now)
        uptimeMillis = max(0, end - deployment.createdAt)
        gpuCost = deployment.accrual.cost(at: end)
        budgetLeft = max(.zero, deployment.budgetLimit - gpuCost)
        timeLeftMillis = deployment.state.isLive ? deployment.rate.millis(affordableWith: budgetLeft) : nil
        tokensServed = deployment.tokensServed
        costPerMillionTokens = Self.perMillion(cost: gpuCost, tokens: tokensServed)
        if let configured = deployment.tokenRates {
            tokenRates = configured
            tokenPriceBasis = "configured"
        } else {
            let perToken = Self.perToken(cost: gpuCost, tokens: tokensServed) ?? 0
            tokenRates = TokenRates(input: perToken, output: perToken)
            tokenPriceBasis = "derived"
        }
    }

    /// Cost per million tokens, rounded up; nil without tokens.
    static func perMillion(cost: Money, tokens: Int64) -> Money? {
        guard tokens > 0 else { return nil }
        let (product, overflow) = cost.nanodollars.multipliedReportingOverflow(by: 1_000_000)
        guard !overflow else { return Money(nanodollars: cost.nanodollars / tokens * 1_000_000) }
        let (quotient, remainder) = product.quotientAndRemainder(dividingBy: tokens)
        return Money(nanodollars: quotient + (remainder > 0 ? 1 : 0))
    }

    /// Pico-dollars per token (cost per token, rounded up); nil without tokens.
    static func perToken(cost: Money, tokens: Int64) -> Int64? {
        guard tokens > 0 else { return nil }
        let picos = cost.nanodollars.saturatingMultiplied(by: 1000)
        let (quotient, remainder) = picos.quotientAndRemainder(dividingBy: tokens)
        return quotient + (remainder > 0 ? 1 : 0)
    }

    enum CodingKeys: String, CodingKey {
        case deployment, at
        case uptimeMillis = "uptime_ms"
        case gpuCost = "gpu_cost_nanodollars"
        case budgetLeft = "budget_left_nanodollars"
        case timeLeftMillis = "time_left_ms"
        case tokensServed = "tokens_served"
        case costPerMillionTokens = "cost_per_million_tokens_nanodollars"
        case tokenRates = "token_rates"
        case tokenPriceBasis = "token_price_basis"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(deployment, forKey: .deployment)
        try container.encode(at, forKey: .at)
        try container.encode(uptimeMillis, forKey: .uptimeMillis)
        try container.encode(gpuCost, forKey: .gpuCost)
        try container.encode(budgetLeft, forKey: .budgetLeft)
        try container.encode(timeLeftMillis, forKey: .timeLeftMillis)
        try container.encode(tokensServed, forKey: .tokensServed)
        try container.encode(costPerMillionTokens, forKey: .costPerMillionTokens)
        try container.encode(tokenRates, forKey: .tokenRates)
        try container.encode(tokenPriceBasis, forKey: .tokenPriceBasis)
    }
}
