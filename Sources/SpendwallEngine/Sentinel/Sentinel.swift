import Foundation
import Logging
import ServiceLifecycle
import SpendwallCore
import SpendwallStorage
import Synchronization

/// Runs self-hosted engines under a GPU-time budget.
///
/// Each deployment's GPU time is paid for in intervals the way requests are: before an interval
/// starts, its cost (plus the grace period a kill may take) is held on the deployment's budget;
/// when it ends, the time used is charged (a ledger row of kind `gpu_time`) and the next interval
/// is held. When the budget cannot pay for the next interval the engine's whole process group
/// gets SIGTERM, then SIGKILL after the grace period, and the deployment ends with reason
/// `budget_exhausted`. See ``GPUTimeAccrual`` for the arithmetic.
///
/// Engines outlive a server restart: a restarted server adopts the ones still running on its
/// host and marks the others lost. The hold a previous run left open is charged in full by the
/// enforcer's recovery, and the adopted accrual continues where that hold ended, so no time is
/// charged twice.
public final class Sentinel: Service, Sendable {
    /// Deployment ids start with this.
    public static let deploymentIDPrefix = "dep_"

    struct Live: Sendable {
        var record: DeploymentRecord
        var budget: BudgetRecord
        var group: ProcessGroup?
        var open: Reservation?
        /// Set while one caller stops it; nobody else touches it then.
        var stopping = false
    }

    /// Checks whether an engine answers on a loopback port and path.
    public typealias HealthProbe = @Sendable (_ port: Int, _ path: String) async -> Bool

    let live = Mutex<[String: Live]>([:])
    let store: any SpendStore
    let enforcer: Enforcer
    let controlPlane: ControlPlane
    let clock: any WallClock
    let settings: SentinelSettings
    public let routes: DeploymentRoutes
    let prices: GPUPriceTable
    let logDirectory: String
    let host: String
    let probe: HealthProbe
    let logger: Logger

    public init(
        store: any SpendStore, enforcer: Enforcer, controlPlane: ControlPlane, clock: any WallClock, settings: SentinelSettings,
        prices: GPUPriceTable, logDirectory: String, routes: DeploymentRoutes = DeploymentRoutes(), host: String = Sentinel.hostName(),
        logger: Logger, probe: @escaping HealthProbe
    ) {
        self.store = store
        self.enforcer = enforcer
        self.controlPlane = controlPlane
        self.clock = clock
        self.settings = settings
        self.prices = prices
        self.logDirectory = logDirectory
        self.routes = routes
        self.host = host
        self.logger = logger
        self.probe = probe
    }

    /// This machine's host name.
    public static func hostName() -> String { ProcessInfo.processInfo.hostName }

    // MARK: Service

    /// Adopts what a previous run left, then settles and checks every deployment each
    /// `accrual_interval_seconds` (health at most every quarter second while starting). On a
    /// graceful shutdown engines keep running, to be adopted by the next start.
    public func run() async throws {
        try await adopt()
        let step = Duration.milliseconds(min(250, max(50, settings.intervalMillis / 4)))
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            await tick()
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: step) }
            } catch {
                return
            }
        }
    }

    // MARK: Deploy

    /// Validates the spec, creates the deployment's budget, holds its first interval, starts the
    /// engine and returns the record (state `starting`). Nothing is started when the budget
    /// cannot pay for the first interval.
    public func deploy(_ spec: DeploymentSpec) async throws -> DeploymentRecord {
        guard try await store.tenants().contains(where: { $0.id == spec.tenant }) else {
            throw ConfigurationError(.notFound, "tenant '\(spec.tenant)' does not exist")
        }
        if let team = spec.team, !(try await store.teams(tenantID: spec.tenant).contains { $0.id == team }) {
            throw ConfigurationError(.notFound, "team '\(team)' does not exist in tenant '\(spec.tenant)'")
        }
        guard !spec.model.isEmpty, !spec.model.contains(where: { $0 == "\n" || $0 == "\0" }) else {
            throw ConfigurationError(.invalidValue, "--model must name the model to serve")
        }
        guard let limit = Money(dollarString: spec.budget), limit > .zero else {
            throw ConfigurationError(.invalidValue, "--budget '\(spec.budget)' must be a positive dollar amount (e.g. 0.10)")
        }
        let (rate, gpu, rateSource) = try spec.resolveRate(table: prices)
        guard rate.nanodollarsPerHour > 0 else { throw ConfigurationError(.invalidValue, "the GPU rate must be above zero") }
        let tokenRates = try spec.tokenRates()
        if let running = routes.route(model: spec.model, tenantID: spec.tenant), running.state.isLive {
            throw ConfigurationError(.conflict, "\(running.deploymentID) already serves \(spec.model) for tenant \(spec.tenant); stop it first (spendwall kill \(running.deploymentID) --reason …)")
        }
        let id = Self.deploymentIDPrefix + Self.randomHex(6)
        let port = try FreePort.pick()
        let command = try spec.commandLine(port: port)
        let budget = try await controlPlane.setBudget(ControlPlane.BudgetSpec(
            id: "deployment-\(id.dropFirst(Self.deploymentIDPrefix.count))", tenant: spec.tenant, scope: .tag,
            scopeID: DeploymentRecord.budgetTag(deploymentID: id), period: .total, limit: spec.budget
        ))
        let now = clock.nowMillis()
        try FileManager.default.createDirectory(atPath: logDirectory, withIntermediateDirectories: true)
        let logPath = logDirectory + "/\(id).log"
        var record = DeploymentRecord(
            id: id, tenantID: spec.tenant, teamID: spec.team, model: spec.model, engine: spec.engine, command: command, gpu: gpu,
            gpuCount: spec.count, rate: rate, rateSource: rateSource, budgetID: budget.id, budgetLimit: limit, tokenRates: tokenRates,
            port: port, host: host, logPath: logPath, createdAt: now,
            accrual: GPUTimeAccrual(rate: rate, intervalMillis: settings.intervalMillis, graceMillis: settings.graceMillis + SentinelSettings.killMarginMillis, startedAt: now)
        )
        var entry = Live(record: record, budget: budget)
        do {
            try await placeNextHold(&entry, at: now)
        } catch let error as EnforcementError where error.code == .budgetExceeded {
            throw ConfigurationError(.invalidValue, "a budget of \(limit) cannot pay for the first \(settings.accrualIntervalSeconds) s interval and the kill grace period at \(rate); raise --budget")
        }
        let group: ProcessGroup
        do {
            group = try ProcessGroup.launch(command, logPath: logPath, environment: ["PORT": String(port), "SPENDWALL_DEPLOYMENT_ID": id])
        } catch {
            entry.record.state = .failed
            entry.record.endedAt = clock.nowMillis()
            entry.record.exitDescription = error.description
            await settleOpenHold(&entry, at: entry.record.endedAt!)
            try await store.upsertDeployment(entry.record)
            throw ConfigurationError(.invalidValue, error.description)
        }
        entry.group = group
        entry.record.pid = group.pid
        entry.record.processStartTicks = group.startTicks
        record = entry.record
        try await store.upsertDeployment(record)
        live.withLock { $0[id] = entry }
        publish(record)
        logger.info("deployment started", metadata: [
            "deployment": "\(id)", "model": "\(spec.model)", "pid": "\(group.pid)", "port": "\(port)", "rate": "\(rate)",
            "budget": "\(limit)",
        ])
        return record
    }

    // MARK: Reads

    /// Deployments of one tenant (or all) with their figures now, oldest first.
    public func statuses(tenantID: String?) async throws -> [DeploymentStatus] {
        let now = clock.nowMillis()
        let running = live.withLock { $0.mapValues(\.record) }
        return try await store.deployments(tenantID: tenantID).map { stored in
            DeploymentStatus(deployment: running[stored.id] ?? stored, at: now)
        }
    }

    /// One deployment with its figures now; `.notFound` also for another tenant's.
    public func status(id: String, tenantID: String?) async throws -> DeploymentStatus {
        guard let found = try await statuses(tenantID: tenantID).first(where: { $0.deployment.id == id }) else {
            throw ConfigurationError(.notFound, "deployment '\(id)' does not exist")
        }
        return found
    }

    static func randomHex(_ bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }
}
