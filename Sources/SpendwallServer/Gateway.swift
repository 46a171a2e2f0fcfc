import AsyncHTTPClient
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
    let httpClient: HTTPClient
    let targets: [ProviderKind: UpstreamTarget]
    let logger: Logger
    /// Replaces the catalog from a LiteLLM-format file's bytes; returns the new version.
    let priceReloader: (@Sendable (ByteBuffer) throws -> String)?

    /// - Parameter upstreamBaseURLs: base URL per provider (the simulator's, or the configured
    ///   or official one); provider keys are read from the environment variables the
    ///   configuration names.
    public init(
        configuration: GatewayConfiguration, enforcer: Enforcer, controlPlane: ControlPlane, catalog: CatalogHolder,
        httpClient: HTTPClient, upstreamBaseURLs: [ProviderKind: String], environment: [String: String], logger: Logger,
        priceReloader: (@Sendable (ByteBuffer) throws -> String)? = nil
    ) {
        self.priceReloader = priceReloader
        self.configuration = configuration
        self.enforcer = enforcer
        self.controlPlane = controlPlane
        self.catalog = catalog
        self.httpClient = httpClient
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

    /// The HTTP client settings the gateway needs: many connections per upstream host (the
    /// default of 8 would queue a busy gateway), explicit timeouts, no decompression.
    public static func makeHTTPClientConfiguration() -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 512)
        // No read timeout: each request carries its own deadline, and a per-read timer costs CPU on every chunk.
        configuration.timeout = .init(connect: .seconds(10))
        configuration.decompression = .disabled
        configuration.httpVersion = .automatic
        return configuration
    }
}
