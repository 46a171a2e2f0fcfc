import SpendwallCore
import SpendwallStorage
import Testing

extension StoreConformance {
    @Test("policies round-trip with every rule, are replaced per scope, listed per tenant and deleted; a missing one is notFound", arguments: StoreKind.allCases)
    func policies(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let full = Policy(
                allowModels: ["gpt-4o*"], denyModels: ["*-preview"], providers: [.anthropic, .openai], maxOutputTokens: 2048,
                maxInputTokens: 100_000, maxChoices: 2, maxRequestCost: .cents(25),
                unpricedModels: .price(inputPerToken: 2_000_000, outputPerToken: 8_000_000),
                tiers: [ModelTier(name: "economy", models: ["gpt-4o-mini"]), ModelTier(name: "premium", models: ["gpt-4o"])],
                defaultTier: "economy", tierOverrides: ["premium"]
            )
            let team = PolicyRecord(tenantID: "acme", scope: .team("research"), policy: full, updatedAt: 1)
            try await store.upsertPolicy(team)
            try await store.upsertPolicy(PolicyRecord(tenantID: "globex", scope: .tenant("globex"), policy: Policy(unpricedModels: .refuse), updatedAt: 2))
            #expect(try await store.policies(tenantID: "acme") == [team])
            var replaced = team
            replaced.policy = Policy(maxChoices: 1)
            replaced.updatedAt = 3
            try await store.upsertPolicy(replaced)
            #expect(try await store.policies(tenantID: nil).count == 2)
            #expect(try await store.policies(tenantID: "acme") == [replaced])
            try await store.deletePolicy(tenantID: "acme", scope: .team("research"))
            let missing = await #expect(throws: StoreError.self) { try await store.deletePolicy(tenantID: "acme", scope: .team("research")) }
            #expect(missing?.code == .notFound)
            #expect(try await store.policies(tenantID: nil).map(\.tenantID) == ["globex"])
            // The full policy survives storage exactly.
            try await store.upsertPolicy(team)
            #expect(try await store.policies(tenantID: "acme").first?.policy == full)
        }
    }
}
