import SpendwallCore
import SpendwallStorage

/// Records for the conformance suite, with every optional field set so round trips check them.
enum Fixtures {
    static func tenant(_ id: String, createdAt: Int64 = 1) -> TenantRecord {
        TenantRecord(id: id, name: "Tenant \(id)", createdAt: createdAt)
    }

    static func key(_ id: String, tenant: String = "acme", secretHash: String? = nil) -> KeyRecord {
        KeyRecord(
            id: id, name: "key \(id)", secretHash: secretHash ?? "hash-\(id)", hint: "sw-…\(id)", tenantID: tenant,
            teamID: "research", userID: "ada", tags: ["env:prod", "quote\"and\\slash"],
            allowedTags: ["feature:*"], allowedModels: ["gpt-4o", "claude-sonnet-4"], defaultMaxOutputTokens: 4_096,
            status: .active, createdAt: 10, revokedAt: nil
        )
    }

    static func hold(
        _ id: String, amount: Money = .microdollars(18_000), tenant: String = "acme",
        shares: [HoldShare] = [HoldShare(budget: "b-tenant", windowStart: 0), HoldShare(budget: "b-team", windowStart: 1_000)],
        createdAt: Int64 = 100
    ) -> HoldRecord {
        HoldRecord(
            hold: Hold(id: id, amount: amount, shares: shares), requestID: "req-\(id)", keyID: "k1", tenantID: tenant,
            provider: .openai, model: "gpt-4o", tags: ["env:prod", "feature:\"quoted\""], createdAt: createdAt, expiresAt: createdAt + 600_000
        )
    }

    static func entry(
        for hold: HoldRecord, cost: Money, team: String? = "research", tags: [String] = ["env:prod"],
        model: String = "gpt-4o", status: LedgerStatus = .settled, startedAt: Int64 = 100
    ) -> LedgerEntry {
        LedgerEntry(
            requestID: hold.requestID, holdID: hold.hold.id, keyID: hold.keyID, tenantID: hold.tenantID, teamID: team,
            userID: "ada", tags: tags, provider: hold.provider, model: model, endpoint: "/v1/chat/completions",
            usage: TokenUsage(input: 100, cachedInput: 20, cacheWrite: 3, extendedCacheWrite: 7, output: 40, reasoning: 5, audioInput: 11, audioOutput: 13),
            rates: TokenRates(
                input: 2_500_000, output: 10_000_000, cachedInput: 1_250_000, cacheWrite: nil, extendedCacheWrite: 5_000_000, reasoning: nil,
                audioInput: 32_000_000, audioOutput: nil
            ),
            catalogVersion: "litellm-2025-01", cost: cost, listCost: cost, hold: hold.hold.amount, status: status,
            upstreamStatus: 200, upstreamID: "chatcmpl-\(hold.hold.id)", latencyMillis: 321, startedAt: startedAt,
            finishedAt: startedAt + 321, shares: hold.hold.shares, decision: "model=\(model); provider=openai; policies=none; rules=none; hold=$0.01"
        )
    }
}
