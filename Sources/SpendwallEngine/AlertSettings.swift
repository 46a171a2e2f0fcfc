import Foundation
import SpendwallCore

/// `alerts:` in the configuration: which budget alerts fire, and where they go.
///
/// ```yaml
/// alerts:
///   thresholds: [50, 80, 100]     # percent of each budget's limit, unless the budget sets its own
///   forecast: true                # "at this burn rate the budget runs out before its period ends"
///   webhooks:
///     - url: https://hooks.example.com/spendwall
///       secret_env: SPENDWALL_WEBHOOK_SECRET   # HMAC-SHA256 key, read from the environment
/// ```
public struct AlertSettings: Sendable, Codable, Hashable {
    public var thresholds: [Int] = BudgetAlerts.defaultThresholds
    public var forecast: Bool = true
    public var webhooks: [Webhook] = []
    /// Attempts per delivery before it is marked failed; waits double from 1 s, at most 5 min.
    public var maxAttempts: Int = 8

    public init(thresholds: [Int] = BudgetAlerts.defaultThresholds, forecast: Bool = true, webhooks: [Webhook] = [], maxAttempts: Int = 8) {
        self.thresholds = thresholds
        self.forecast = forecast
        self.webhooks = webhooks
        self.maxAttempts = maxAttempts
    }

    /// A webhook alerts are POSTed to, signed with the secret in `secret_env`.
    public struct Webhook: Sendable, Codable, Hashable {
        public var url: String
        /// The environment variable holding the signing secret (never the secret itself).
        public var secretEnv: String

        public init(url: String, secretEnv: String) {
            self.url = url
            self.secretEnv = secretEnv
        }

        enum CodingKeys: String, CodingKey {
            case url
            case secretEnv = "secret_env"
        }
    }

    enum CodingKeys: String, CodingKey {
        case thresholds, forecast, webhooks
        case maxAttempts = "max_attempts"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        thresholds = try container.decodeIfPresent([Int].self, forKey: .thresholds) ?? BudgetAlerts.defaultThresholds
        forecast = try container.decodeIfPresent(Bool.self, forKey: .forecast) ?? true
        webhooks = try container.decodeIfPresent([Webhook].self, forKey: .webhooks) ?? []
        maxAttempts = try container.decodeIfPresent(Int.self, forKey: .maxAttempts) ?? 8
    }

    func validate() throws(ConfigurationError) {
        if thresholds.contains(where: { !(1...1000).contains($0) }) {
            throw ConfigurationError(.invalidValue, "alerts.thresholds are percentages from 1 to 1000, got \(thresholds)")
        }
        guard (1...50).contains(maxAttempts) else {
            throw ConfigurationError(.invalidValue, "alerts.max_attempts must be 1 to 50")
        }
        for (index, hook) in webhooks.enumerated() {
            guard let url = URLComponents(string: hook.url), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host?.isEmpty == false else {
                throw ConfigurationError(.invalidValue, "alerts.webhooks[\(index)].url '\(hook.url)' is not an http:// or https:// URL")
            }
            guard !hook.secretEnv.isEmpty else {
                throw ConfigurationError(.invalidValue, "alerts.webhooks[\(index)].secret_env must name an environment variable")
            }
        }
    }

    /// Each webhook with its secret from `environment`; a missing or empty secret is an error.
    public func signedWebhooks(environment: [String: String]) throws(ConfigurationError) -> [(url: String, secret: String)] {
        try webhooks.enumerated().map { index, hook throws(ConfigurationError) in
            guard let secret = environment[hook.secretEnv], !secret.isEmpty else {
                throw ConfigurationError(.invalidValue, "alerts.webhooks[\(index)]: the signing secret variable \(hook.secretEnv) is not set")
            }
            return (hook.url, secret)
        }
    }
}
