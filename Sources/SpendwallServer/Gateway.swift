import NIOCore
import Logging
import SpendwallCore
import SpendwallEngine

/// Everything a data-plane request needs, shared by every connection.
public final class Gateway: Sendable {
    let configuration: GatewayConfiguration
    let enforcer: Enforcer
    let controlPlane: ControlPlane
    let catalog: CatalogHolder
    let upstream: UpstreamClient
    let targets: [ProviderKind: UpstreamTarget]
    /// Requests and tokens per minute, and concurrent streams, of the policies in force.
    let rateLimiter = RateLimiter()
    /// Answers of the scopes whose policy turns the exact response cache on.
    let responseCache = ResponseCache()
    let logger: Logger
    /// Replaces the catalog from a LiteLLM-format file's bytes; returns the new version.
    let priceReloader: (@Sendable (ByteBuffer) throws -> String)?

    /// - Parameter upstreamBaseURLs: base URL per provider (the simulator's, or the configured
    ///   or official one); provider keys are read from the environment variables the
    ///   configuration names.
    public init(
        configuration: GatewayConfiguration, enforcer: Enforcer, controlPlane: ControlPlane, catalog: CatalogHolder,
        upstreamBaseURLs: [ProviderKind: String], environment: [String: String], logger: Logger,
        priceReloader: (@Sendable (ByteBuffer) throws -> String)? = nil
    ) throws {
        self.priceReloader = priceReloader
        self.configuration = configuration
        self.enforcer = enforcer
        self.controlPlane = controlPlane
        self.catalog = catalog
        self.upstream = try UpstreamClient()
        self.logger = logger
        var targets: [ProviderKind: UpstreamTarget] = [:]
        for provider in ProviderKind.allCases {
            let upstream = configuration.upstream(for: provider)
            let base = upstreamBaseURLs[provider] ?? upstream.baseURL ?? ""
            let key: String?
            if upstream.kind == .simulator {
                key = "simulated-\(provider.rawValue)-key"
            } else {
                key = upstream.apiKeyEnv.flatMap { environment[$0] }.flatMap { $0.isEmpty ? nil : $0 }
            }
            targets[provider] = UpstreamTarget(provider: provider, baseURL: base, apiKey: key, apiKeyEnv: upstream.apiKeyEnv)
        }
        self.targets = targets
    }

    /// Closes the idle upstream connections; call once the data plane has stopped.
    public func shutdown() async {
        await upstream.shutdown()
    }
}
