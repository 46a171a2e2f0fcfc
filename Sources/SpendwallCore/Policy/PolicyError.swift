/// A request the policy refuses, or a policy that cannot be used, with a stable code.
public struct PolicyError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        case modelNotAllowed = "model_not_allowed"
        case providerNotAllowed = "provider_not_allowed"
        case tierNotAllowed = "tier_not_allowed"
        case outputCapExceeded = "output_cap_exceeded"
        case contextBudgetExceeded = "context_budget_exceeded"
        case choicesExceeded = "choices_exceeded"
        case requestCostExceeded = "request_cost_exceeded"
        case invalidPolicy = "invalid_policy"
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
