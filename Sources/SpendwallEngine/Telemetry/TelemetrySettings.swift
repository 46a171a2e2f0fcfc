/// `telemetry:` in the configuration: where every ledger event is exported.
///
/// ```yaml
/// telemetry:
///   flush_interval_seconds: 1
///   sinks:
///     - name: archive
///       type: jsonl
///       path: /var/log/spendwall/events.jsonl
///       max_bytes: 104857600     # rotate to .1, .2, … past this size
///       keep: 5
///     - name: finops
///       type: webhook
///       url: https://finops.example.com/hooks/spend
///       batch: 100
///       secret_env: SPENDWALL_TELEMETRY_SECRET   # HMAC-SHA256 signature header, as alerts
/// ```
public struct TelemetrySettings: Sendable, Codable, Hashable {
    public struct Sink: Sendable, Codable, Hashable {
        public enum Kind: String, Sendable, Codable, Hashable {
            case jsonl, webhook
        }

        public var name: String
        public var type: Kind
        public var path: String?
        public var maxBytes: Int64?
        public var keep: Int?
        public var url: String?
        public var batch: Int?
        public var secretEnv: String?

        public init(name: String, type: Kind, path: String? = nil, maxBytes: Int64? = nil, keep: Int? = nil, url: String? = nil, batch: Int? = nil, secretEnv: String? = nil) {
            self.name = name
            self.type = type
            self.path = path
            self.maxBytes = maxBytes
            self.keep = keep
            self.url = url
            self.batch = batch
            self.secretEnv = secretEnv
        }

        enum CodingKeys: String, CodingKey {
            case name, type, path, keep, url, batch
            case maxBytes = "max_bytes"
            case secretEnv = "secret_env"
        }
    }

    public var sinks: [Sink] = []
    public var flushIntervalSeconds: Double = 1

    public init(sinks: [Sink] = [], flushIntervalSeconds: Double = 1) {
        self.sinks = sinks
        self.flushIntervalSeconds = flushIntervalSeconds
    }

    enum CodingKeys: String, CodingKey {
        case sinks
        case flushIntervalSeconds = "flush_interval_seconds"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        sinks = try container.decodeIfPresent([Sink].self, forKey: .sinks) ?? []
        flushIntervalSeconds = try container.decodeIfPresent(Double.self, forKey: .flushIntervalSeconds) ?? 1
    }

    func validate() throws(ConfigurationError) {
        guard flushIntervalSeconds >= 0.05, flushIntervalSeconds <= 3600 else {
            throw ConfigurationError(.invalidValue, "telemetry.flush_interval_seconds must be from 0.05 to 3600")
        }
        var names = Set<String>()
        for sink in sinks {
            guard !sink.name.isEmpty, names.insert(sink.name).inserted else {
                throw ConfigurationError(.invalidValue, "telemetry.sinks: every sink needs a name of its own (\(sink.name))")
            }
            switch sink.type {
            case .jsonl:
                guard sink.path?.isEmpty == false else { throw ConfigurationError(.invalidValue, "telemetry sink \(sink.name): a jsonl sink needs path") }
            case .webhook:
                guard let url = sink.url, url.hasPrefix("http://") || url.hasPrefix("https://") else {
                    throw ConfigurationError(.invalidValue, "telemetry sink \(sink.name): a webhook sink needs an http(s) url")
                }
            }
            if let batch = sink.batch, !(1...10_000).contains(batch) { throw ConfigurationError(.invalidValue, "telemetry sink \(sink.name): batch must be 1 to 10000") }
            if let maxBytes = sink.maxBytes, maxBytes < 1024 { throw ConfigurationError(.invalidValue, "telemetry sink \(sink.name): max_bytes must be at least 1024") }
        }
    }
}
