import SpendwallCore
import SpendwallStorage
import Testing

/// Deployments kept by every store, and spend reports keeping GPU time apart from requests.
@Suite("Deployment store")
struct DeploymentStoreTests {
    static func record(_ id: String, tenant: String, createdAt: Int64) -> DeploymentRecord {
        let rate = GPURate(nanodollarsPerHour: 3_600_000_000)
        return DeploymentRecord(
            id: id, tenantID: tenant, teamID: "ml", model: "tiny", engine: .vllm, command: ["vllm", "serve", "tiny", "--port", "8001"],
            gpu: "nvidia-l4", gpuCount: 1, rate: rate, rateSource: "--rate", budgetID: "deployment-\(id)", budgetLimit: .cents(10),
            tokenRates: nil, port: 8001, host: "h", logPath: "/tmp/x.log", createdAt: createdAt,
            accrual: GPUTimeAccrual(rate: rate, intervalMillis: 5_000, graceMillis: 12_000, startedAt: createdAt)
        )
    }

    @Test("deployments round-trip whole, are replaced by id, listed oldest first and per tenant", arguments: StoreKind.allCases)
    func roundTrip(kind: StoreKind) async throws {
        try await kind.withStore { store in
            var first = Self.record("dep_a", tenant: "acme", createdAt: 10)
            let second = Self.record("dep_b", tenant: "globex", createdAt: 5)
            try await store.upsertDeployment(first)
            try await store.upsertDeployment(second)
            #expect(try await store.deployments(tenantID: nil).map(\.id) == ["dep_b", "dep_a"])
            #expect(try await store.deployments(tenantID: "acme") == [first])
            first.state = .killed
            first.killReason = "budget_exhausted"
            first.pid = 4242
            first.processStartTicks = 99
            var accrual = first.accrual
            if let hold = accrual.nextHold(at: 10) { accrual.holdPlaced(hold) }
            first.accrual = accrual
            first.inputTokens = 7
            try await store.upsertDeployment(first)
            #expect(try await store.deployments(tenantID: "acme") == [first])
            #expect(try await store.deployments(tenantID: "initech").isEmpty)
        }
    }

    @Test("spend rows count GPU-time rows apart: their cost in gpu_time_cost, not in requests", arguments: StoreKind.allCases)
    func spendKeepsGPUTimeApart(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let request = Fixtures.hold("r1", tenant: "acme")
            let gpu = Fixtures.hold("dep_a~g1", tenant: "acme")
            try await store.recordHold(request)
            try await store.recordHold(gpu)
            try await store.settle(Fixtures.entry(for: request, cost: .microdollars(30)))
            var gpuEntry = Fixtures.entry(for: gpu, cost: .microdollars(50))
            gpuEntry.endpoint = LedgerEntry.gpuTimeEndpoint
            gpuEntry.usage = .zero
            try await store.settle(gpuEntry)
            let rows = try await store.spend(SpendQuery(tenantID: "acme", groupBy: .tenant))
            #expect(rows.count == 1)
            #expect(rows.first?.cost == .microdollars(80) && rows.first?.gpuTimeCost == .microdollars(50))
            #expect(rows.first?.requestCost == .microdollars(30) && rows.first?.requests == 1)
        }
    }
}
