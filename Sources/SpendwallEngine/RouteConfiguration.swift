import SpendwallCore

/// `routes:` in the configuration: a model served by several upstreams.
///
/// ```yaml
/// routes:
///   - model: gpt-4o-mini
///     order: preference            # or price: the cheapest hold first
///     targets:
///       - upstream: azure-east     # a named upstream (provider: openai)
///         model: gpt-4o-mini-east  # its name there (default: the same)
///       - upstream: openai
/// ```
///
/// A request for the model tries the targets that speak its API in order, moving on when one
/// cannot be reached or answers 429 or 5xx before anything was sent to the client.
public struct RouteConfiguration: Sendable, Codable, Hashable {
    public enum Order: String, Sendable, Codable, Hashable {
        case preference
        case price
    }

    public struct Target: Sendable, Codable, Hashable {
        public var upstream: String
        /// The model's name at this upstream; nil: the name the client used.
        public var model: String?
        /// The price at this upstream in dollars per million tokens, when the catalog does not
        /// price its model name (an open model at a hosting provider); both or neither.
        public var inputPerMillion: String?
        public var outputPerMillion: String?

        public init(upstream: String, model: String? = nil, inputPerMillion: String? = nil, outputPerMillion: String? = nil) {
            self.upstream = upstream
            self.model = model
            self.inputPerMillion = inputPerMillion
            self.outputPerMillion = outputPerMillion
        }

        enum CodingKeys: String, CodingKey {
            case upstream, model
            case inputPerMillion = "input_per_million"
            case outputPerMillion = "output_per_million"
        }

        /// The configured rates in pico-dollars per token, if any.
        public var rates: TokenRates? {
            guard let input = inputPerMillion.flatMap({ try? PerMillionPrice.picodollarsPerToken($0) }),
                  let output = outputPerMillion.flatMap({ try? PerMillionPrice.picodollarsPerToken($0) }) else { return nil }
            return TokenRates(input: input, output: output)
        }
    }

    public var model: String
    public var order: Order
    public var targets: [Target]
    /// How long a target may take to start answering before the next one is tried; nil: the
    /// whole `upstream_timeout_seconds`.
    public var firstByteTimeoutSeconds: Int64?

    public init(model: String, order: Order = .preference, targets: [Target], firstByteTimeoutSeconds: Int64? = nil) {
        self.model = model
        self.order = order
        self.targets = targets
        self.firstByteTimeoutSeconds = firstByteTimeoutSeconds
    }

    enum CodingKeys: String, CodingKey {
        case model, order, targets
        case firstByteTimeoutSeconds = "first_byte_timeout_seconds"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        model = try container.decode(String.self, forKey: .model)
        order = try container.decodeIfPresent(Order.self, forKey: .order) ?? .preference
        targets = try container.decode([Target].self, forKey: .targets)
        firstByteTimeoutSeconds = try container.decodeIfPresent(Int64.self, forKey: .firstByteTimeoutSeconds)
    }

    func validate(index: Int) throws(ConfigurationError) {
        if let timeout = firstByteTimeoutSeconds, timeout <= 0 {
            throw ConfigurationError(.invalidValue, "routes[\(index)].first_byte_timeout_seconds must be positive")
        }
        for target in targets {
            let given = [target.inputPerMillion, target.outputPerMillion].compactMap { $0 }
            guard given.isEmpty || (given.count == 2 && target.rates != nil) else {
                throw ConfigurationError(.invalidValue, "routes[\(index)] (\(model)) → \(target.upstream): give both input_per_million and output_per_million as dollar amounts, or neither")
            }
        }
    }
}

/// `circuit_breaker:` in the configuration.
public struct CircuitBreakerSettings: Sendable, Codable, Hashable {
    /// Consecutive failures (connect errors, timeouts, 429, 5xx) that open an upstream's circuit.
    public var failures: Int = 5
    /// How long an open circuit keeps the upstream out of routing before one trial request.
    public var cooldownSeconds: Int = 30

    public init(failures: Int = 5, cooldownSeconds: Int = 30) {
        self.failures = failures
        self.cooldownSeconds = cooldownSeconds
    }

    enum CodingKeys: String, CodingKey {
        case failures
        case cooldownSeconds = "cooldown_seconds"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        failures = try container.decodeIfPresent(Int.self, forKey: .failures) ?? 5
        cooldownSeconds = try container.decodeIfPresent(Int.self, forKey: .cooldownSeconds) ?? 30
    }
}
