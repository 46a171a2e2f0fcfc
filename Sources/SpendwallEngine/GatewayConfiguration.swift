import SpendwallCatalog
import SpendwallCore

/// Everything `spendwall serve` can be told, with a default for every field. Loaded from an
/// optional YAML file (keys in snake_case, see `README.md`), then command-line flags.
public struct GatewayConfiguration: Sendable, Codable, Hashable {
    /// Data plane listener, `host:port`.
    public var listen: String = "127.0.0.1:8787"
    /// Admin API listener, `host:port`; loopback by default.
    public var adminListen: String = "127.0.0.1:8788"
    /// SQLite file; default `$SPENDWALL_HOME/spendwall.sqlite` (or `~/.spendwall/…`).
    public var database: String?
    /// `normal` survives a killed process; `full` also survives power loss (slower).
    public var durability: String = "normal"
    /// Output cap written into requests that carry none, unless the key sets its own.
    public var defaultMaxOutputTokens: Int64 = 4096
    /// Largest request body accepted, in bytes.
    public var maxBodyBytes: Int = 32 * 1024 * 1024
    /// How long an upstream request may take (and a stream may last).
    public var upstreamTimeoutSeconds: Int64 = 600
    /// How long a hold may stay open before it is charged in full as expired; default the
    /// upstream timeout plus a minute. A replica that dies leaves its holds to this.
    public var holdLifetimeSeconds: Int64?
    /// With a shared database (PostgreSQL): worst-case dollars each replica may admit on its
    /// own while the database cannot be reached, per outage. "0" (the default) fails closed.
    public var failOpenUSD: String = "0"
    /// Upstream per provider. Missing providers use the real API.
    public var upstreams: [String: UpstreamConfiguration] = [:]
    /// Settings of the built-in simulated provider, for upstreams of kind `simulator`.
    public var simulator: SimulatorSettings = SimulatorSettings()
    /// Models the operator prices (or re-prices); they win over the bundled catalog.
    public var prices: [PriceOverride] = []
    /// Time zone of calendar budget periods unless a budget names its own.
    public var timeZone: String = "UTC"
    /// Policies on scopes, stored at start (replacing those of the same scopes).
    public var policies: [ConfiguredPolicy] = []
    /// Budget alerts and the webhooks they go to.
    public var alerts: AlertSettings = AlertSettings()
    /// Models served by several upstreams, in order of preference or price, with failover.
    public var routes: [RouteConfiguration] = []
    /// When an upstream is taken out of routing after repeated failures, and for how long.
    public var circuitBreaker: CircuitBreakerSettings = CircuitBreakerSettings()
    /// How deployments of self-hosted engines are paid for and stopped.
    public var sentinel: SentinelSettings = SentinelSettings()
    /// The operator's own GPU prices (owned or reserved hardware), added to the shipped table.
    public var gpuPrices: [OperatorGPUPrice] = []
    /// Where every ledger event is exported (JSON-lines files, webhooks).
    public var telemetry: TelemetrySettings = TelemetrySettings()
    /// OpenTelemetry traces over OTLP/HTTP, configured by the standard `OTEL_*` variables.
    public var traces: Bool = false

    public init() {}

    enum CodingKeys: String, CodingKey {
        case listen
        case adminListen = "admin_listen"
        case database
        case durability
        case defaultMaxOutputTokens = "default_max_output_tokens"
        case maxBodyBytes = "max_body_bytes"
        case upstreamTimeoutSeconds = "upstream_timeout_seconds"
        case holdLifetimeSeconds = "hold_lifetime_seconds"
        case failOpenUSD = "fail_open_usd"
        case upstreams
        case simulator
        case prices
        case timeZone = "time_zone"
        case policies
        case alerts
        case routes
        case circuitBreaker = "circuit_breaker"
        case sentinel
        case gpuPrices = "gpu_prices"
        case telemetry
        case traces
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = GatewayConfiguration()
        listen = try container.decodeIfPresent(String.self, forKey: .listen) ?? defaults.listen
        adminListen = try container.decodeIfPresent(String.self, forKey: .adminListen) ?? defaults.adminListen
        database = try container.decodeIfPresent(String.self, forKey: .database)
        durability = try container.decodeIfPresent(String.self, forKey: .durability) ?? defaults.durability
        defaultMaxOutputTokens = try container.decodeIfPresent(Int64.self, forKey: .defaultMaxOutputTokens) ?? defaults.defaultMaxOutputTokens
        maxBodyBytes = try container.decodeIfPresent(Int.self, forKey: .maxBodyBytes) ?? defaults.maxBodyBytes
        upstreamTimeoutSeconds = try container.decodeIfPresent(Int64.self, forKey: .upstreamTimeoutSeconds) ?? defaults.upstreamTimeoutSeconds
        holdLifetimeSeconds = try container.decodeIfPresent(Int64.self, forKey: .holdLifetimeSeconds)
        failOpenUSD = try container.decodeIfPresent(String.self, forKey: .failOpenUSD) ?? defaults.failOpenUSD
        upstreams = try container.decodeIfPresent([String: UpstreamConfiguration].self, forKey: .upstreams) ?? [:]
        simulator = try container.decodeIfPresent(SimulatorSettings.self, forKey: .simulator) ?? SimulatorSettings()
        prices = try container.decodeIfPresent([PriceOverride].self, forKey: .prices) ?? []
        timeZone = try container.decodeIfPresent(String.self, forKey: .timeZone) ?? defaults.timeZone
        policies = try container.decodeIfPresent([ConfiguredPolicy].self, forKey: .policies) ?? []
        alerts = try container.decodeIfPresent(AlertSettings.self, forKey: .alerts) ?? AlertSettings()
        routes = try container.decodeIfPresent([RouteConfiguration].self, forKey: .routes) ?? []
        circuitBreaker = try container.decodeIfPresent(CircuitBreakerSettings.self, forKey: .circuitBreaker) ?? CircuitBreakerSettings()
        sentinel = try container.decodeIfPresent(SentinelSettings.self, forKey: .sentinel) ?? SentinelSettings()
        gpuPrices = try container.decodeIfPresent([OperatorGPUPrice].self, forKey: .gpuPrices) ?? []
        telemetry = try container.decodeIfPresent(TelemetrySettings.self, forKey: .telemetry) ?? TelemetrySettings()
        traces = try container.decodeIfPresent(Bool.self, forKey: .traces) ?? false
    }

    /// Checks values a YAML file can get wrong; the message names the key.
    public func validate() throws(ConfigurationError) {
        for (name, upstream) in upstreams where ProviderKind(rawValue: name) == nil && upstream.provider == nil {
            throw ConfigurationError(.invalidValue, "upstreams.\(name): an upstream not named openai, anthropic or gemini needs `provider:` (the API it speaks)")
        }
        for (name, upstream) in upstreams {
            if let provider = upstream.provider, let named = ProviderKind(rawValue: name), named != provider {
                throw ConfigurationError(.invalidValue, "upstreams.\(name): provider must be \(name)")
            }
            if upstream.fault != nil && upstream.kind != .simulator {
                throw ConfigurationError(.invalidValue, "upstreams.\(name): fault is only for simulator upstreams")
            }
        }
        var routed = Set<String>()
        for (index, route) in routes.enumerated() {
            guard routed.insert(route.model).inserted else {
                throw ConfigurationError(.invalidValue, "routes[\(index)]: the model '\(route.model)' is routed twice")
            }
            guard !route.targets.isEmpty else { throw ConfigurationError(.invalidValue, "routes[\(index)]: no targets") }
            for target in route.targets where dialect(ofUpstream: target.upstream) == nil {
                throw ConfigurationError(.invalidValue, "routes[\(index)]: unknown upstream '\(target.upstream)'; define it under upstreams")
            }
            try route.validate(index: index)
        }
        guard circuitBreaker.failures > 0, circuitBreaker.cooldownSeconds > 0 else {
            throw ConfigurationError(.invalidValue, "circuit_breaker.failures and cooldown_seconds must be positive")
        }
        for (name, upstream) in upstreams {
            if upstream.kind == .http && upstream.baseURL == nil {
                throw ConfigurationError(.invalidValue, "upstreams.\(name): base_url is required unless kind is simulator")
            }
        }
        guard durability == "normal" || durability == "full" else {
            throw ConfigurationError(.invalidValue, "durability: '\(durability)' is not normal or full")
        }
        guard defaultMaxOutputTokens > 0 else {
            throw ConfigurationError(.invalidValue, "default_max_output_tokens must be positive")
        }
        guard maxBodyBytes > 0, upstreamTimeoutSeconds > 0 else {
            throw ConfigurationError(.invalidValue, "max_body_bytes and upstream_timeout_seconds must be positive")
        }
        guard let allowance = Money(dollarString: failOpenUSD), allowance >= .zero else {
            throw ConfigurationError(.invalidValue, "fail_open_usd: '\(failOpenUSD)' is not a non-negative dollar amount (e.g. 0 or 2.50)")
        }
        if let holdLifetimeSeconds, holdLifetimeSeconds <= 0 {
            throw ConfigurationError(.invalidValue, "hold_lifetime_seconds must be positive")
        }
        try PeriodCalendar().validate(timeZone: timeZone)
        try alerts.validate()
        try sentinel.validate()
        try telemetry.validate()
        for (index, price) in gpuPrices.enumerated() { _ = try price.row(index: index) }
    }

    /// The fail-open allowance per replica and outage (zero when invalid: validation refuses it).
    public var failOpenAllowance: Money { Money(dollarString: failOpenUSD) ?? .zero }

    /// How long a hold may stay open before it is charged in full.
    public var holdLifetime: Duration { .seconds(holdLifetimeSeconds ?? upstreamTimeoutSeconds + 60) }

    /// The API an upstream speaks: its name for the providers' own, else its `provider:`.
    public func dialect(ofUpstream name: String) -> ProviderKind? {
        if let provider = ProviderKind(rawValue: name) { return provider }
        return upstreams[name]?.provider
    }

    /// Every upstream by name: the three providers' (configured or official) and the named ones.
    public var allUpstreams: [String: UpstreamConfiguration] {
        var all = upstreams
        for provider in ProviderKind.allCases where all[provider.rawValue] == nil {
            all[provider.rawValue] = UpstreamConfiguration.official(provider)
        }
        return all
    }

    /// The upstream for a provider: configured, or the provider's public API.
    public func upstream(for provider: ProviderKind) -> UpstreamConfiguration {
        upstreams[provider.rawValue] ?? UpstreamConfiguration.official(provider)
    }
}

/// Where a provider's traffic goes.
public struct UpstreamConfiguration: Sendable, Codable, Hashable {
    public enum Kind: String, Sendable, Codable, Hashable {
        case http
        case simulator
    }

    public var kind: Kind = .http
    /// e.g. `https://api.openai.com`. Paths such as `/v1/chat/completions` are appended.
    public var baseURL: String?
    /// Environment variable holding the provider key (never the key itself).
    public var apiKeyEnv: String?
    /// The API an upstream speaks, for upstreams not named after a provider (e.g. a second
    /// OpenAI-compatible host).
    public var provider: ProviderKind?
    /// Simulator upstreams only: the `x-simulator-fault` every call to this upstream carries
    /// (`status=500`, `status=429`, `hang`), to rehearse failover.
    public var fault: String?

    public init(kind: Kind = .http, baseURL: String? = nil, apiKeyEnv: String? = nil, provider: ProviderKind? = nil, fault: String? = nil) {
        self.kind = kind
        self.baseURL = baseURL
        self.apiKeyEnv = apiKeyEnv
        self.provider = provider
        self.fault = fault
    }

    enum CodingKeys: String, CodingKey {
        case kind
        case baseURL = "base_url"
        case apiKeyEnv = "api_key_env"
        case provider
        case fault
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        kind = try container.decodeIfPresent(Kind.self, forKey: .kind) ?? .http
        baseURL = try container.decodeIfPresent(String.self, forKey: .baseURL)
        apiKeyEnv = try container.decodeIfPresent(String.self, forKey: .apiKeyEnv)
        provider = try container.decodeIfPresent(ProviderKind.self, forKey: .provider)
        fault = try container.decodeIfPresent(String.self, forKey: .fault)
    }

    /// The provider's public API with its conventional key variable.
    public static func official(_ provider: ProviderKind) -> UpstreamConfiguration {
        switch provider {
        case .openai: UpstreamConfiguration(baseURL: "https://api.openai.com", apiKeyEnv: "OPENAI_API_KEY")
        case .anthropic: UpstreamConfiguration(baseURL: "https://api.anthropic.com", apiKeyEnv: "ANTHROPIC_API_KEY")
        case .gemini: UpstreamConfiguration(baseURL: "https://generativelanguage.googleapis.com", apiKeyEnv: "GEMINI_API_KEY")
        }
    }
}

/// Latency of the built-in simulated provider.
public struct SimulatorSettings: Sendable, Codable, Hashable {
    public var firstByteDelayMillis: Int64 = 0
    public var interChunkDelayMillis: Int64 = 0

    public init(firstByteDelayMillis: Int64 = 0, interChunkDelayMillis: Int64 = 0) {
        self.firstByteDelayMillis = firstByteDelayMillis
        self.interChunkDelayMillis = interChunkDelayMillis
    }

    enum CodingKeys: String, CodingKey {
        case firstByteDelayMillis = "first_byte_delay_ms"
        case interChunkDelayMillis = "inter_chunk_delay_ms"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        firstByteDelayMillis = try container.decodeIfPresent(Int64.self, forKey: .firstByteDelayMillis) ?? 0
        interChunkDelayMillis = try container.decodeIfPresent(Int64.self, forKey: .interChunkDelayMillis) ?? 0
    }
}

