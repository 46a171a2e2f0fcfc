import Foundation
import Logging
import SpendwallCore
import SpendwallEngine
import SpendwallStorage
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The sentinel against a manual clock and real processes (`sh` with a child `sleep`).
@Suite(.serialized) struct SentinelTests {
    static let t0: Int64 = 1_795_435_200_000
    /// $3.60 per GPU-hour = 1,000 nano-dollars per millisecond.
    static let rate = "3.60"
    static func nanos(_ millis: Int64) -> Money { Money(nanodollars: millis * 1_000) }

    /// Interval 5 s, grace 10 s (+ 2 s margin): each hold covers 17 s = $0.017.
    struct Fixture {
        let store: InMemoryStore
        let clock: ManualWallClock
        let enforcer: Enforcer
        let plane: ControlPlane
        let sentinel: Sentinel
        let logDirectory: String

        init(store: InMemoryStore = InMemoryStore(), clock: ManualWallClock = ManualWallClock(SentinelTests.t0), logDirectory: String? = nil) async throws {
            self.store = store
            self.clock = clock
            self.logDirectory = logDirectory ?? FileManager.default.temporaryDirectory.appendingPathComponent("sentinel-\(UUID().uuidString.prefix(8))").path
            enforcer = Enforcer(store: store, catalog: CatalogHolder(PriceCatalog(version: "test", entries: [:])), clock: clock, holdLifetime: .seconds(600), logger: Logger(label: "test"))
            plane = ControlPlane(store: store, enforcer: enforcer, clock: clock, defaultTimeZone: "UTC")
            if try await store.tenants().isEmpty {
                _ = try await plane.createTenant(id: "acme", name: "Acme")
                _ = try await plane.createTeam(tenantID: "acme", id: "ml", name: "ML")
            }
            let directory = try await plane.reload()
            try await enforcer.recover(directory: directory)
            sentinel = Sentinel(
                store: store, enforcer: enforcer, controlPlane: plane, clock: clock,
                settings: SentinelSettings(accrualIntervalSeconds: 5, killGraceSeconds: 10, readyTimeoutSeconds: 60),
                prices: GPUPriceTable(models: [GPUModel(id: "nvidia-l4", displayName: "L4", aliases: ["l4"], memoryGiB: 24, source: "s")], rows: []),
                logDirectory: self.logDirectory, host: "test-host", logger: Logger(label: "test"), probe: { _, _ in true }
            )
        }

        func deploy(budget: String = "0.05", command: [String] = ["/bin/sh", "-c", "sleep 1000 & wait"]) async throws -> DeploymentRecord {
            try await sentinel.deploy(DeploymentSpec(model: "tiny", tenant: "acme", team: "ml", budget: budget, gpu: "l4", rate: SentinelTests.rate, engine: .command, command: command))
        }

        func gpuRows() async throws -> [LedgerEntry] {
            try await store.ledger(tenantID: "acme", limit: 1000).filter { $0.kind == "gpu_time" }
        }
    }

    @Test("GPU time is held before it is used and charged interval by interval, exact to the nano-dollar against a manual clock; status shows the figures")
    func accrualIsExact() async throws {
        let fixture = try await Fixture()
        let record = try await fixture.deploy()
        defer { ProcessGroup(pid: record.pid!).signal(SIGKILL) }
        #expect(record.state == .starting && record.rate.nanodollarsPerHour == 3_600_000_000 && record.budgetLimit == .cents(5))
        #expect(fixture.enforcer.account(budgetID: record.budgetID)?.held == SentinelTests.nanos(17_000), "the first interval, grace and margin are held before the engine starts")

        fixture.clock.advance(byMillis: 3_000)
        var status = try await fixture.sentinel.status(id: record.id, tenantID: "acme")
        #expect(status.gpuCost == SentinelTests.nanos(3_000) && status.budgetLeft == SentinelTests.nanos(47_000))
        #expect(status.timeLeftMillis == 47_000 && status.uptimeMillis == 3_000 && status.costPerMillionTokens == nil)

        fixture.clock.advance(byMillis: 2_000)
        await fixture.sentinel.tick()
        status = try await fixture.sentinel.status(id: record.id, tenantID: "acme")
        #expect(status.deployment.state == .running, "the health check answered")
        var rows = try await fixture.gpuRows()
        #expect(rows.map(\.cost) == [SentinelTests.nanos(5_000)] && rows[0].keyID == record.id && rows[0].teamID == "ml" && rows[0].endpoint == "gpu_time")

        // Tokens served through the gateway count toward the derived price.
        fixture.sentinel.routes.recordServed(deploymentID: record.id, usage: TokenUsage(input: 600, output: 400))
        fixture.clock.advance(byMillis: 5_000)
        await fixture.sentinel.tick()
        status = try await fixture.sentinel.status(id: record.id, tenantID: "acme")
        #expect(status.tokensServed == 1_000 && status.gpuCost == SentinelTests.nanos(10_000))
        #expect(status.costPerMillionTokens == .dollars(10), "$0.01 over 1,000 tokens")
        #expect(status.tokenRates.input == 10_000_000 && status.tokenPriceBasis == "derived")
        #expect(fixture.sentinel.routes.route(model: "tiny", tenantID: "acme")?.rates.output == 10_000_000)
        #expect(fixture.sentinel.routes.route(model: "tiny", tenantID: "other") == nil, "another tenant's requests are not routed to it")

        // Ledger rows + open hold always equal the time used.
        rows = try await fixture.gpuRows()
        #expect(rows.reduce(.zero) { $0 + $1.cost } == SentinelTests.nanos(10_000))
        _ = try await fixture.sentinel.stop(id: record.id, reason: "test over", by: "test", tenantID: nil)
    }

    @Test("when the budget cannot pay for the next interval the whole process group is gone within the grace period, the time up to then is charged, and spent ≤ limit")
    func budgetExhaustionKillsTheGroup() async throws {
        let fixture = try await Fixture()
        let record = try await fixture.deploy()
        let group = ProcessGroup(pid: record.pid!)
        defer { group.signal(SIGKILL) }
        try await waitFor { group.livingMembers.count == 2 }
        for step in [5_000, 5_000, 5_000, 5_000, 5_000, 5_000, 5_000, 5_000] as [Int64] {
            fixture.clock.advance(byMillis: step)
            let started = ContinuousClock.now
            await fixture.sentinel.tick()
            let status = try await fixture.sentinel.status(id: record.id, tenantID: nil)
            if !status.deployment.state.isLive {
                #expect(ContinuousClock.now - started < .seconds(10 + 5), "stopped within the grace period (and the SIGKILL wait)")
                break
            }
        }
        let status = try await fixture.sentinel.status(id: record.id, tenantID: nil)
        #expect(status.deployment.state == .killed && status.deployment.killReason == "budget_exhausted" && status.deployment.killedBy == "sentinel")
        #expect(group.livingMembers.isEmpty, "the engine and its child are gone")
        let charged = try await fixture.gpuRows().reduce(Money.zero) { $0 + $1.cost }
        // At 35 s the next hold (35 → 52 s) no longer fits $0.05: 35 s were used and charged.
        #expect(charged == SentinelTests.nanos(35_000) && status.gpuCost == charged)
        let account = try #require(fixture.enforcer.account(budgetID: record.budgetID))
        #expect(account.spent == charged && account.held == .zero && account.spent <= account.limit)
        #expect(fixture.enforcer.openHoldCount == 0)
        let route = fixture.sentinel.routes.route(model: "tiny", tenantID: "acme")
        #expect(route?.state == .killed && route?.stopReason?.contains("budget_exhausted") == true)
    }

    @Test("a kill by hand records who and why, stops the group (SIGKILL after the grace period if SIGTERM is ignored), and a second kill is refused")
    func killByHand() async throws {
        let fixture = try await Fixture()
        let record = try await fixture.deploy(command: ["/bin/sh", "-c", "trap '' TERM; sleep 1000 & wait"])
        let group = ProcessGroup(pid: record.pid!)
        defer { group.signal(SIGKILL) }
        try await waitFor { group.livingMembers.count == 2 }
        fixture.clock.advance(byMillis: 2_000)
        let stopped = try await fixture.sentinel.stop(id: record.id, reason: "overspend", by: "alice", tenantID: "acme")
        #expect(stopped.state == .killed && stopped.killReason == "overspend" && stopped.killedBy == "alice")
        #expect(group.livingMembers.isEmpty)
        #expect(try await fixture.gpuRows().reduce(Money.zero) { $0 + $1.cost } == SentinelTests.nanos(2_000))
        await #expect(throws: ConfigurationError.self) { try await fixture.sentinel.stop(id: record.id, reason: "again", by: "bob", tenantID: nil) }
        await #expect(throws: ConfigurationError.self) { try await fixture.sentinel.stop(id: "dep_nope", reason: "x", by: "bob", tenantID: nil) }
        await #expect(throws: ConfigurationError.self, "another tenant's deployment is not found") {
            try await fixture.sentinel.stop(id: record.id, reason: "x", by: "bob", tenantID: "other")
        }
    }

    @Test("a restarted server adopts a live engine and charges every second exactly once; a dead one is marked lost and charging stops")
    func restartAdoptsOrMarksLost() async throws {
        let store = InMemoryStore()
        let clock = ManualWallClock(SentinelTests.t0)
        let first = try await Fixture(store: store, clock: clock)
        let live = try await first.deploy(budget: "0.10")
        let dead = try await first.sentinel.deploy(DeploymentSpec(model: "other", tenant: "acme", budget: "0.05", gpu: "l4", rate: SentinelTests.rate, engine: .command, command: ["/bin/sh", "-c", "sleep 1000 & wait"]))
        let liveGroup = ProcessGroup(pid: live.pid!)
        defer { liveGroup.signal(SIGKILL) }
        clock.advance(byMillis: 5_000)
        await first.sentinel.tick()
        // The server dies (no shutdown); one engine dies while it is down.
        ProcessGroup(pid: dead.pid!).signal(SIGKILL)
        try await waitFor { ProcessGroup(pid: dead.pid!).livingMembers.isEmpty }
        clock.advance(byMillis: 20_000)

        let second = try await Fixture(store: store, clock: clock, logDirectory: first.logDirectory)
        try await second.sentinel.adopt()
        let adopted = try await second.sentinel.status(id: live.id, tenantID: nil)
        #expect(adopted.deployment.state == .running && adopted.deployment.pid == live.pid)
        let lost = try await second.sentinel.status(id: dead.id, tenantID: nil)
        #expect(lost.deployment.state == .lost && lost.deployment.killReason == "engine_gone_while_server_down")
        // The holds the first run left open were charged in full by the restart (5 → 22 s).
        clock.advance(byMillis: 5_000)
        await second.sentinel.tick()
        clock.advance(byMillis: 5_000)
        await second.sentinel.tick()
        let liveRows = try await second.store.ledger(tenantID: "acme", limit: 100).filter { $0.kind == "gpu_time" && $0.keyID == live.id }
        #expect(liveRows.contains { $0.status == .expired }, "the open hold of the dead server was charged in full")
        let charged = liveRows.reduce(Money.zero) { $0 + $1.cost }
        #expect(charged == SentinelTests.nanos(35_000), "0 → 35 s, each second once, the downtime included")
        let lostRows = try await second.store.ledger(tenantID: "acme", limit: 100).filter { $0.keyID == dead.id }
        #expect(lostRows.reduce(Money.zero) { $0 + $1.cost } == SentinelTests.nanos(22_000), "charged through its last paid hold, nothing after")
        _ = try await second.sentinel.stop(id: live.id, reason: "test over", by: "test", tenantID: nil)
    }

    @Test("an engine that exits on its own ends the deployment (failed while starting); a budget too small for the first interval starts nothing")
    func exitsAndRefusals() async throws {
        let fixture = try await Fixture()
        await #expect(throws: ConfigurationError.self) { try await fixture.deploy(budget: "0.01") }
        #expect(try await fixture.store.deployments(tenantID: nil).isEmpty)
        let record = try await fixture.sentinel.deploy(DeploymentSpec(model: "quick", tenant: "acme", budget: "0.05", gpu: "l4", rate: SentinelTests.rate, engine: .command, command: ["/bin/sh", "-c", "exit 7"]))
        try await waitFor { !ProcessGroup(pid: record.pid!).leaderAlive }
        fixture.clock.advance(byMillis: 1_000)
        await fixture.sentinel.tick()
        let status = try await fixture.sentinel.status(id: record.id, tenantID: nil)
        #expect(status.deployment.state == .exited || status.deployment.state == .failed)
        #expect(status.deployment.exitDescription == "exit 7")
        #expect(status.gpuCost == SentinelTests.nanos(1_000))
        await #expect(throws: ConfigurationError.self, "an unknown GPU without --rate lists the known ones") {
            try await fixture.sentinel.deploy(DeploymentSpec(model: "m", tenant: "acme", budget: "1", gpu: "h100", engine: .command, command: ["true"]))
        }
    }

    func waitFor(_ condition: () -> Bool) async throws {
        for _ in 0..<200 {
            if condition() { return }
            try await Task.sleep(for: .milliseconds(25))
        }
        Issue.record("condition not met within 5 s")
    }
}
