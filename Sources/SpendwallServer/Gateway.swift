import NIOCore
import Logging
import SpendwallCore
import SpendwallEngine
import SpendwallStorage

/// Everything a data-plane request needs, shared by every connection.
public final class Gateway: Sendable {
    let configuration: GatewayConfiguration
    let enforcer: Enforcer
    let controlPlane: ControlPlane
    let catalog: CatalogHolder
    let upstream: UpstreamClient
    /// Every upstream by name (the providers' own under `openai`, `anthropic`, `gemini`).
    let targets: [String: UpstreamTarget]
    /// Routed models by name.
    let routes: [String: RouteConfiguration]
    /// Circuit breakers of the upstreams.
    let health: UpstreamHealth
    /// Requests and tokens per minute, and concurrent streams, of the policies in force.
    let rateLimiter = RateLimiter()
    /// Answers of the scopes whose policy turns the exact response cache on.
    let responseCache = ResponseCache()
    let logger: Logger
    /// Counters and histograms for `/metrics`.
    let metrics = GatewayMetrics()
    /// Spend in 10-second windows, for `watch` and the dashboard.
    let recentSpend = SpendAggregator()
    /// Holds placed by Swift SDK clients in remote mode, until they settle.
    let remoteHolds = RemoteHolds()
    /// Self-hosted deployments serving models, published by the sentinel.
    public let deployments: DeploymentRoutes
    /// Replaces the catalog from a LiteLLM-format file's bytes; returns the new version.
    let priceReloader: (@Sendable (ByteBuffer) throws -> String)?

    /// - Parameter simulatorURL: the built-in simulator's base URL, for upstreams of kind
    ///   `simulator`; provider keys are read from the environment variables the configuration names.
    public init(
        configuration: GatewayConfiguration, enforcer: Enforcer, controlPlane: ControlPlane, catalog: CatalogHolder,
        simulatorURL: String?, environment: [String: String], logger: Logger,
        priceReloader: (@Sendable (ByteBuffer) throws -> String)? = nil, deployments: DeploymentRoutes = DeploymentRoutes()
    ) throws {
        self.deployments = deployments
        self.priceReloader = priceReloader
        self.configuration = configuration
        self.enforcer = enforcer
        self.controlPlane = controlPlane
        self.catalog = catalog
        self.upstream = try UpstreamClient()
        self.logger = logger
        var targets: [String: UpstreamTarget] = [:]
        for (name, upstream) in configuration.allUpstreams {
            guard let provider = configuration.dialect(ofUpstream: name) else { continue }
            let base = (upstream.kind == .simulator ? simulatorURL : nil) ?? upstream.baseURL ?? ""
            let key: String?
            if upstream.kind == .simulator {
                key = "simulated-\(provider.rawValue)-key"
            } else {
                key = upstream.apiKeyEnv.flatMap { environment[$0] }.flatMap { $0.isEmpty ? nil : $0 }
            }
            targets[name] = UpstreamTarget(name: name, provider: provider, baseURL: base, apiKey: key, apiKeyEnv: upstream.apiKeyEnv, fault: upstream.fault)
        }
        self.targets = targets
        self.routes = Dictionary(configuration.routes.map { ($0.model, $0) }, uniquingKeysWith: { first, _ in first })
        self.health = UpstreamHealth(settings: configuration.circuitBreaker)
        enforcer.onSettled(SettledRowFeed(metrics: metrics, recentSpend: recentSpend, logger: logger))
    }

    /// Closes the idle upstream connections; call once the data plane has stopped.
    public func shutdown() async {
        await upstream.shutdown()
    }
}

/// Feeds each settled ledger row to the metrics, the 10-second windows and the request log.
struct SettledRowFeed: SettlementObserver {
    let metrics: GatewayMetrics
    let recentSpend: SpendAggregator
    let logger: Logger

    func settled(_ entry: LedgerEntry) {
        metrics.settled(entry)
        recentSpend.add(entry)
        logger.info("settled", metadata: [
            "request.id": "\(entry.requestID)", "key.id": "\(entry.keyID)", "team": "\(entry.teamID ?? "-")",
            "model": "\(entry.model)", "provider": "\(entry.provider.rawValue)", "endpoint": "\(entry.endpoint)",
            "status": "\(entry.status.rawValue)", "cost": "\(entry.cost)", "latency_ms": "\(entry.latencyMillis)",
        ])
    }
}
