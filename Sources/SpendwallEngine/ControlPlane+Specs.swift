import SpendwallCore
import SpendwallStorage

// The inputs and outputs of the admin operations, as the admin API decodes and encodes them.
extension ControlPlane {
    /// What to create a key with.
    public struct KeySpec: Sendable, Codable {
        public var name: String
        public var tenant: String
        public var team: String?
        public var user: String?
        public var tags: [String]?
        public var allowedTags: [String]?
        public var allowedModels: [String]?
        public var defaultMaxOutputTokens: Int64?

        public init(name: String, tenant: String, team: String? = nil, user: String? = nil, tags: [String]? = nil,
                    allowedTags: [String]? = nil, allowedModels: [String]? = nil, defaultMaxOutputTokens: Int64? = nil) {
            self.name = name
            self.tenant = tenant
            self.team = team
            self.user = user
            self.tags = tags
            self.allowedTags = allowedTags
            self.allowedModels = allowedModels
            self.defaultMaxOutputTokens = defaultMaxOutputTokens
        }

        enum CodingKeys: String, CodingKey {
            case name, tenant, team, user, tags
            case allowedTags = "allowed_tags"
            case allowedModels = "allowed_models"
            case defaultMaxOutputTokens = "default_max_output_tokens"
        }
    }

    /// What may change on an existing key (`nil` leaves a field as it is).
    public struct KeyUpdate: Sendable, Codable {
        public var name: String?
        public var tags: [String]?
        public var allowedTags: [String]?
        public var allowedModels: [String]?
        public var defaultMaxOutputTokens: Int64?

        enum CodingKeys: String, CodingKey {
            case name, tags
            case allowedTags = "allowed_tags"
            case allowedModels = "allowed_models"
            case defaultMaxOutputTokens = "default_max_output_tokens"
        }
    }

    /// What to set a budget with.
    public struct BudgetSpec: Sendable, Codable {
        public var id: String?
        public var tenant: String
        public var scope: ScopeKind
        /// The team/user/key id or tag; omitted for a tenant budget.
        public var scopeID: String?
        public var period: BudgetPeriod
        /// Dollars, as a decimal string, e.g. "25" or "0.50".
        public var limit: String
        public var timeZone: String?
        /// Budget pressure: downgrade to the cheapest tier from this percentage used (1–100).
        public var downgradeAtPercent: Int?
        /// Shadow mode: evaluate, log and count, never refuse.
        public var shadow: Bool?
        /// Spend thresholds in percent that fire alerts (default 50, 80, 100).
        public var alertThresholds: [Int]?

        public init(id: String? = nil, tenant: String, scope: ScopeKind, scopeID: String? = nil, period: BudgetPeriod, limit: String, timeZone: String? = nil, downgradeAtPercent: Int? = nil, shadow: Bool? = nil) {
            self.id = id
            self.tenant = tenant
            self.scope = scope
            self.scopeID = scopeID
            self.period = period
            self.limit = limit
            self.timeZone = timeZone
            self.downgradeAtPercent = downgradeAtPercent
            self.shadow = shadow
        }

        enum CodingKeys: String, CodingKey {
            case id, tenant, scope, period, limit
            case scopeID = "scope_id"
            case timeZone = "time_zone"
            case downgradeAtPercent = "downgrade_at_percent"
            case shadow
            case alertThresholds = "alert_thresholds"
        }
    }

    /// A budget with its live standing.
    public struct BudgetStatus: Sendable, Codable {
        public var budget: BudgetRecord
        public var spent: Money
        public var held: Money
        public var available: Money
        public var windowStart: Int64
        public var resetsAt: Int64?
        /// Burn rate, projected spend at the window's end, and when the limit is reached at
        /// that rate.
        public var forecast: BudgetForecast?
    }

}
