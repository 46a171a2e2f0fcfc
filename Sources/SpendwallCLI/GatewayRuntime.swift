import UnixSignals
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import SpendwallCatalog
import SpendwallCore
import SpendwallEngine
import SpendwallServer
import SpendwallSimulator
import SpendwallPostgres
import SpendwallSQLite
import SpendwallStorage
import Synchronization

/// Assembles and runs a gateway: store, engine, optional simulator, data-plane and admin
/// listeners, and the hold reaper, in one `ServiceGroup`.
///
/// Shutdown runs in reverse: the listeners stop accepting and drain (streams settle), the reaper
/// stops, then the HTTP client and the database close.
struct GatewayRuntime {
    var configuration: GatewayConfiguration
    var home: SpendwallHome
    var logger: Logger
    /// Called once both listeners are up, with their bound addresses.
    var onReady: @Sendable (_ data: String, _ admin: String, _ adminToken: String, _ simulatorURL: String?) async -> Void
    /// Lets an embedding command (the demo) stop the gateway gracefully.
    var shutdown = ShutdownTrigger()
    /// Run with the gateway's services (the OpenTelemetry exporter).
    var extraServices: [any Service] = []

    func run() async throws {
        try home.create()
        guard let adminToken = try home.adminToken(createIfMissing: true) else { throw CLIError("no admin token") }
        let catalog = CatalogHolder(try loadCatalog())
        switch DatabaseLocation.resolve(configuration.database, home: home) {
        case .sqlite(let path):
            let store: SQLiteStore
            do {
                // On the event loops as the global executor, `Task.yield()` would leave them.
                store = try SQLiteStore(
                    path: path, durability: configuration.durability == "full" ? .full : .normal, gather: { await EventLoopGlobalExecutor.yield() }
                )
            } catch let error as StoreError {
                throw CLIError(error.message, exitCode: error.code == .locked ? .refused : .failure)
            }
            defer { try? store.close() }
            try await run(store: store, catalog: catalog, adminToken: adminToken, storeServices: [CheckpointService(store: store)])
        case .postgres(let url):
            let store = try PostgresStore(url: url, logger: logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await store.run() }
                defer { group.cancelAll() }
                do {
                    try await store.migrate()
                    try await run(store: store, catalog: catalog, adminToken: adminToken, storeServices: [])
                } catch let error as StoreError {
                    throw CLIError(error.message, exitCode: error.code == .locked ? .refused : .failure)
                }
            }
        }
    }

    private func run(store: any SpendStore, catalog: CatalogHolder, adminToken: String, storeServices: [any Service]) async throws {
        let clock = SystemWallClock()
        let enforcer = Enforcer(
            store: store, catalog: catalog, clock: clock,
            holdLifetime: configuration.holdLifetime, failOpenAllowance: configuration.failOpenAllowance, logger: logger
        )
        let controlPlane = ControlPlane(store: store, enforcer: enforcer, clock: clock, defaultTimeZone: configuration.timeZone)
        try await controlPlane.applyConfigured(configuration.policies)
        let directory = try await controlPlane.reload()
        try await enforcer.recover(directory: directory)

        // The simulator listens on its own loopback port, so the proxy path is the real one.
        let simulated = configuration.allUpstreams.values.contains { $0.kind == .simulator }
        try await withThrowingTaskGroup(of: Void.self) { group in
            var simulatorURL: String?
            var simulatorGroup: ServiceGroup?
            if simulated {
                let simulator = SimulatedProvider(config: SimulatorConfig(
                    firstByteDelay: .milliseconds(configuration.simulator.firstByteDelayMillis),
                    interChunkDelay: .milliseconds(configuration.simulator.interChunkDelayMillis)
                ))
                let port = PortBox()
                var simulatorLogger = logger
                simulatorLogger.logLevel = .warning
                let application = simulator.makeApplication(host: "127.0.0.1", port: 0, logger: simulatorLogger) { port.set($0) }
                // Its own group, stopped gracefully after the gateway has drained.
                let serviceGroup = ServiceGroup(services: [application], gracefulShutdownSignals: [], cancellationSignals: [], logger: simulatorLogger)
                simulatorGroup = serviceGroup
                group.addTask { try await serviceGroup.run() }
                let bound = try await port.wait()
                simulatorURL = "http://127.0.0.1:\(bound)"
            }
            do {
                try await serve(
                    enforcer: enforcer, controlPlane: controlPlane, catalog: catalog,
                    adminToken: adminToken, simulatorURL: simulatorURL, storeServices: storeServices
                )
            } catch {
                await simulatorGroup?.triggerGracefulShutdown()
                throw error
            }
            await simulatorGroup?.triggerGracefulShutdown()
            try await group.waitForAll()
        }
    }

    private func serve(
        enforcer: Enforcer, controlPlane: ControlPlane, catalog: CatalogHolder,
        adminToken: String, simulatorURL: String?, storeServices: [any Service]
    ) async throws {
        let importedPath = home.importedPricesPath
        let overrides = configuration.prices
        let deployments = DeploymentRoutes()
        let gateway = try Gateway(
            configuration: configuration, enforcer: enforcer, controlPlane: controlPlane, catalog: catalog,
            simulatorURL: simulatorURL, environment: ProcessInfo.processInfo.environment,
            logger: logger,
            priceReloader: { bytes in
                let data = Data(bytes.readableBytesView)
                let imported = try LiteLLMImporter().importPrices(from: data)
                var next = imported.makeCatalog(version: "imported LiteLLM file (sha256 \(ContentDigest.sha256Hex(data).prefix(12)))")
                next.apply(overrides: try overrides.map { try $0.makeModelPrice() }, label: "\(overrides.count) operator prices")
                try data.write(to: URL(fileURLWithPath: importedPath), options: .atomic)
                catalog.replace(with: next)
                return next.version
            },
            deployments: deployments
        )
        let sentinel = Sentinel(
            store: controlPlane.store, enforcer: enforcer, controlPlane: controlPlane, clock: SystemWallClock(), settings: configuration.sentinel,
            prices: try configuration.gpuPriceTable(today: String(ISOTime.format(millis: SystemWallClock().nowMillis()).prefix(10))),
            logDirectory: home.url.appendingPathComponent("deployments").path, routes: deployments, logger: logger,
            probe: { port, path in await EngineHealth.check(port: port, path: path) }
        )
        let webhooks: [(url: String, secret: String)]
        do {
            webhooks = try configuration.alerts.signedWebhooks(environment: ProcessInfo.processInfo.environment)
        } catch {
            throw CLIError(error.message, exitCode: .configuration)
        }
        let alerts = AlertMonitor(
            controlPlane: controlPlane, enforcer: enforcer, settings: configuration.alerts, webhookURLs: webhooks.map(\.url),
            clock: SystemWallClock(), logger: logger
        )
        let dispatcher = WebhookDispatcher(gateway: gateway, webhooks: webhooks, maxAttempts: configuration.alerts.maxAttempts, clock: SystemWallClock())
        let (dataHost, dataPort) = try Self.hostAndPort(configuration.listen, name: "listen")
        let (adminHost, adminPort) = try Self.hostAndPort(configuration.adminListen, name: "admin_listen")
        let ports = ReadyPorts()
        let onReady = self.onReady
        let announce: @Sendable () async -> Void = {
            guard let (data, admin) = ports.both else { return }
            await onReady("\(dataHost):\(data)", "\(adminHost):\(admin)", adminToken, simulatorURL)
        }
        var quietLogger = logger
        quietLogger.logLevel = min(logger.logLevel, .warning) == .warning ? .warning : logger.logLevel
        let dataPlane = Application(
            router: GatewayRouter.make(gateway: gateway),
            configuration: .init(address: .hostname(dataHost, port: dataPort), serverName: "spendwall"),
            onServerRunning: { channel in
                ports.setData(channel.localAddress?.port ?? dataPort)
                await announce()
            },
            logger: quietLogger
        )
        let adminPlane = Application(
            router: AdminRouter.make(gateway: gateway, adminToken: adminToken, alerts: alerts, sentinel: sentinel),
            configuration: .init(address: .hostname(adminHost, port: adminPort), serverName: "spendwall-admin"),
            onServerRunning: { channel in
                ports.setAdmin(channel.localAddress?.port ?? adminPort)
                await announce()
            },
            logger: quietLogger
        )
        // Services shut down in reverse order: the data plane first (stop accepting, drain and
        // settle streams), then admin, then the reaper.
        // Replicas sharing a store hear of each other's control-plane changes,
        // and write ledger rows after the answer (a settlement is a database round trip).
        let followers: [any Service] = (controlPlane.store as? any SharedBudgetStore).map {
            [ChangeFollower(store: $0, controlPlane: controlPlane, logger: logger), LedgerWriter(enforcer: enforcer)]
        } ?? []
        let group = ServiceGroup(configuration: .init(
            services: (extraServices + storeServices + followers).map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) } + [
                .init(service: HoldReaper(enforcer: enforcer) { controlPlane.directory.keysByID }),
                .init(service: alerts),
                .init(service: dispatcher),
                .init(service: sentinel),
                .init(service: TelemetryExporter(
                    store: controlPlane.store, settings: configuration.telemetry, clock: SystemWallClock(), logger: logger,
                    deliver: TelemetryDelivery.make(environment: ProcessInfo.processInfo.environment)
                )),
                .init(service: adminPlane),
                .init(service: dataPlane),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        ))
        shutdown.attach(group)
        do {
            try await group.run()
        } catch {
            await gateway.shutdown()
            throw error
        }
        await gateway.shutdown()
    }

    static func hostAndPort(_ text: String, name: String) throws -> (String, Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            throw CLIError("\(name): '\(text)' is not host:port", exitCode: .configuration)
        }
        return (String(text[..<colon]), port)
    }

    static func expandTilde(_ path: String) -> String {
        path.hasPrefix("~/") ? FileManager.default.homeDirectoryForCurrentUser.path + path.dropFirst(1) : path
    }

    func loadCatalog() throws -> PriceCatalog {
        var catalog: PriceCatalog
        if FileManager.default.fileExists(atPath: home.importedPricesPath) {
            let data = try Data(contentsOf: URL(fileURLWithPath: home.importedPricesPath))
            let imported = try LiteLLMImporter().importPrices(from: data)
            catalog = imported.makeCatalog(version: "imported LiteLLM file (sha256 \(ContentDigest.sha256Hex(data).prefix(12)))")
        } else {
            catalog = try BundledCatalog.load()
        }
        let overrides = try configuration.prices.map { try $0.makeModelPrice() }
        catalog.apply(overrides: overrides, label: "\(overrides.count) operator prices")
        return catalog
    }
}

/// A port learned from a server's start callback.
final class PortBox: Sendable {
    private let value = Mutex<Int?>(nil)
    func set(_ port: Int) { value.withLock { $0 = port } }

    /// Waits up to 10 s for the port.
    func wait() async throws -> Int {
        for _ in 0..<1000 {
            if let port = value.withLock({ $0 }) { return port }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw CLIError("the simulated provider did not start")
    }
}

/// Starts a graceful shutdown of a running gateway from inside the process.
final class ShutdownTrigger: Sendable {
    private let group = Mutex<ServiceGroup?>(nil)

    func attach(_ serviceGroup: ServiceGroup) { group.withLock { $0 = serviceGroup } }

    /// Stops accepting, drains and settles in-flight requests, then lets `run()` return.
    func trigger() async {
        await group.withLock { $0 }?.triggerGracefulShutdown()
    }
}

/// Both listeners' bound ports, announced once both are known.
final class ReadyPorts: Sendable {
    private let value = Mutex<(data: Int?, admin: Int?, announced: Bool)>((nil, nil, false))
    func setData(_ port: Int) { value.withLock { $0.data = port } }
    func setAdmin(_ port: Int) { value.withLock { $0.admin = port } }

    /// The two ports, the first time both are known; nil before and after.
    var both: (Int, Int)? {
        value.withLock { state in
            guard !state.announced, let data = state.data, let admin = state.admin else { return nil }
            state.announced = true
            return (data, admin)
        }
    }
}
