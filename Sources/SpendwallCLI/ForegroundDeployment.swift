import Foundation
import Logging
import SpendwallCore
import SpendwallEngine
import SpendwallStorage
import Synchronization
import UnixSignals

/// `spendwall deploy --foreground`: the server's supervision in this process, without a server.
///
/// Budget, holds and ledger live in memory for the run (nothing else shares them); every interval
/// a status line is printed, and at the end the deployment's figures and its `gpu_time` ledger
/// rows. Ctrl-C stops the engine the same way an exhausted budget does (reason `interrupted`).
struct ForegroundDeployment {
    var spec: DeploymentSpec
    var configPath: String?
    var json: Bool

    func run() async throws {
        let configuration = try ConfigurationLoader.load(path: configPath)
        var logger = Logger(label: "spendwall.deploy")
        logger.logLevel = .warning
        let clock = SystemWallClock()
        let store = InMemoryStore()
        let catalog = CatalogHolder(try GatewayRuntime(configuration: configuration, home: SpendwallHome(), logger: logger) { _, _, _, _ in }.loadCatalog())
        let enforcer = Enforcer(store: store, catalog: catalog, clock: clock, holdLifetime: .seconds(3600), logger: logger)
        let plane = ControlPlane(store: store, enforcer: enforcer, clock: clock, defaultTimeZone: configuration.timeZone)
        _ = try await plane.createTenant(id: spec.tenant, name: spec.tenant)
        if let team = spec.team { _ = try await plane.createTeam(tenantID: spec.tenant, id: team, name: team) }
        let sentinel = Sentinel(
            store: store, enforcer: enforcer, controlPlane: plane, clock: clock, settings: configuration.sentinel,
            prices: try configuration.gpuPriceTable(today: ISOTime.format(millis: clock.nowMillis()).prefix(10).description),
            logDirectory: SpendwallHome().url.appendingPathComponent("deployments").path, logger: logger,
            probe: { port, path in await EngineHealth.check(port: port, path: path) }
        )
        let record: DeploymentRecord
        do {
            record = try await sentinel.deploy(spec)
        } catch let error as ConfigurationError {
            throw CLIError(error.message, exitCode: error.code == .notFound ? .notFound : .usage)
        }
        if !json {
            print("deployment \(record.id) of \(spec.model): pid \(record.pid ?? 0), port \(record.port), \(record.rate) (\(record.rateSource))")
            print("engine log: \(record.logPath ?? "-"); Ctrl-C stops it")
        }
        let interrupted = InterruptFlag()
        let signals = Task { for await _ in await UnixSignalsSequence(trapping: .sigint, .sigterm) { interrupted.set(); return } }
        defer { signals.cancel() }
        var lastLine: Int64 = 0
        while true {
            await sentinel.tick()
            guard let status = try? await sentinel.status(id: record.id, tenantID: nil) else { break }
            if !status.deployment.state.isLive { break }
            if interrupted.isSet {
                _ = try? await sentinel.stop(id: record.id, reason: "interrupted", by: "foreground (Ctrl-C)", tenantID: nil)
                continue
            }
            if !json, status.at - lastLine >= Int64(configuration.sentinel.accrualIntervalSeconds * 1000) {
                lastLine = status.at
                print("\(status.deployment.state.rawValue)  uptime \(status.uptimeMillis / 1000)s  gpu cost \(status.gpuCost)  budget left \(status.budgetLeft)  tokens \(status.tokensServed)")
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        let final = try await sentinel.status(id: record.id, tenantID: nil)
        let rows = try await store.ledger(tenantID: nil, limit: 10_000).filter { $0.kind == "gpu_time" }
        if json {
            let encoder = JSONEncoder()
            encoder.keyEncodingStrategy = .convertToSnakeCase
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(ForegroundSummary(status: final, gpuTimeRows: rows.count, charged: rows.reduce(.zero) { $0 + $1.cost })), as: UTF8.self))
        } else {
            let object = try JSONSerialization.jsonObject(with: {
                let encoder = JSONEncoder()
                encoder.keyEncodingStrategy = .convertToSnakeCase
                return try encoder.encode(final)
            }()) as? [String: Any] ?? [:]
            for line in DeploymentText.detail(object) { print(line) }
            print("ledger:        \(rows.count) gpu_time rows, \(rows.reduce(Money.zero) { $0 + $1.cost }) charged")
        }
        if final.deployment.killReason == "budget_exhausted" { throw CLIError("the budget ran out; the engine was stopped", exitCode: .refused) }
    }

    struct ForegroundSummary: Encodable {
        var status: DeploymentStatus
        var gpuTimeRows: Int
        var charged: Money
    }
}

/// Set once by a signal handler task, read by the supervision loop.
final class InterruptFlag: Sendable {
    private let value = Synchronization.Atomic<Bool>(false)
    func set() { value.store(true, ordering: .relaxed) }
    var isSet: Bool { value.load(ordering: .relaxed) }
}
