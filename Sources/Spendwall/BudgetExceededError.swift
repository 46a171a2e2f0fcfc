import SpendwallCore

/// A call was refused before it was sent: its worst-case cost did not fit the budget.
public struct BudgetExceededError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What had been charged when the call was refused.
    public var spent: Money
    /// Held by calls in flight at that moment.
    public var held: Money
    /// The budget.
    public var limit: Money
    /// The worst-case cost of the refused call: the hold that did not fit.
    public var hold: Money
    /// The model of the refused call (or `gpu-time` for a GPU timer).
    public var model: String

    /// A refusal with its figures.
    public init(spent: Money, held: Money, limit: Money, hold: Money, model: String) {
        self.spent = spent
        self.held = held
        self.limit = limit
        self.hold = hold
        self.model = model
    }

    /// One line naming the figures.
    public var description: String {
        "budget exceeded: \(model) needs up to \(hold), but \(spent) of \(limit) is spent and \(held) is held by calls in flight"
    }
}

/// A call could not be metered: the model has no price, the request is malformed, or (remote
/// mode) the gateway could not be reached. Stable `code`s.
public struct SpendwallError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kinds of failure.
    public enum Code: String, Sendable, Hashable {
        /// The model has no price in the catalog: its cost cannot be bounded, nothing was sent.
        case modelNotPriced = "model_not_priced"
        /// The request is malformed (or an argument is invalid); nothing was sent.
        case invalidRequest = "invalid_request"
        /// Remote mode: the gateway did not answer; nothing was sent (fail closed).
        case gatewayUnavailable = "gateway_unavailable"
        /// Remote mode: the gateway answered with an error other than a budget refusal.
        case gatewayRefused = "gateway_refused"
        /// The provider answered with an error (`status`) or could not be reached.
        case providerError = "provider_error"
        /// The provider's answer could not be read (no usage); the call was charged its hold.
        case invalidResponse = "invalid_response"
    }

    /// What went wrong, as a stable code.
    public var code: Code
    /// A sentence saying what went wrong.
    public var message: String
    /// The provider's (or gateway's) HTTP status, when there was an answer.
    public var status: Int?

    /// An error with its code and message.
    public init(_ code: Code, _ message: String, status: Int? = nil) {
        self.code = code
        self.message = message
        self.status = status
    }

    /// `code: message`.
    public var description: String { "\(code.rawValue): \(message)" }
}
