/// `sentinel:` in the configuration: how deployments are paid for and stopped.
public struct SentinelSettings: Sendable, Codable, Hashable {
    /// How often GPU time is settled and the next interval reserved.
    public var accrualIntervalSeconds: Double = 5
    /// How long an engine has between SIGTERM and SIGKILL.
    public var killGraceSeconds: Double = 10
    /// How long an engine may take to answer its health check before it counts as failed.
    public var readyTimeoutSeconds: Double = 900
    /// The health check path on the engine's port.
    public var healthPath: String = "/health"

    public init(accrualIntervalSeconds: Double = 5, killGraceSeconds: Double = 10, readyTimeoutSeconds: Double = 900, healthPath: String = "/health") {
        self.accrualIntervalSeconds = accrualIntervalSeconds
        self.killGraceSeconds = killGraceSeconds
        self.readyTimeoutSeconds = readyTimeoutSeconds
        self.healthPath = healthPath
    }

    enum CodingKeys: String, CodingKey {
        case accrualIntervalSeconds = "accrual_interval_seconds"
        case killGraceSeconds = "kill_grace_seconds"
        case readyTimeoutSeconds = "ready_timeout_seconds"
        case healthPath = "health_path"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        accrualIntervalSeconds = try container.decodeIfPresent(Double.self, forKey: .accrualIntervalSeconds) ?? 5
        killGraceSeconds = try container.decodeIfPresent(Double.self, forKey: .killGraceSeconds) ?? 10
        readyTimeoutSeconds = try container.decodeIfPresent(Double.self, forKey: .readyTimeoutSeconds) ?? 900
        healthPath = try container.decodeIfPresent(String.self, forKey: .healthPath) ?? "/health"
    }

    func validate() throws(ConfigurationError) {
        guard accrualIntervalSeconds >= 0.1, accrualIntervalSeconds <= 3600 else {
            throw ConfigurationError(.invalidValue, "sentinel.accrual_interval_seconds must be from 0.1 to 3600")
        }
        guard killGraceSeconds >= 0, killGraceSeconds <= 600 else { throw ConfigurationError(.invalidValue, "sentinel.kill_grace_seconds must be from 0 to 600") }
        guard readyTimeoutSeconds > 0 else { throw ConfigurationError(.invalidValue, "sentinel.ready_timeout_seconds must be positive") }
        guard healthPath.hasPrefix("/") else { throw ConfigurationError(.invalidValue, "sentinel.health_path must start with /") }
    }

    var intervalMillis: Int64 { Int64(accrualIntervalSeconds * 1000) }
    var graceMillis: Int64 { Int64(killGraceSeconds * 1000) }
    /// SIGKILL is sent at the end of the grace period; this long more is allowed for the kernel
    /// to take the processes down, and is held with the grace period.
    static let killMarginMillis: Int64 = 2000
}
