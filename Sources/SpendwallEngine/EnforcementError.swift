import SpendwallCore

/// Why the engine refused or could not complete a reservation, with a stable code.
public struct EnforcementError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// A budget in scope cannot cover the request's worst-case cost.
        case budgetExceeded = "budget_exceeded"
        /// The hold could not be made durable, so nothing was sent upstream.
        case storageUnavailable = "storage_unavailable"
    }

    public var code: Code
    public var message: String
    /// The refusing budget, for `budgetExceeded`.
    public var budget: BudgetRefusal?

    public init(code: Code, message: String, budget: BudgetRefusal? = nil) {
        self.code = code
        self.message = message
        self.budget = budget
    }

    public var description: String { message }
}

/// The facts a 402 names: which budget, its limit, spend, holds and when it resets.
public struct BudgetRefusal: Sendable, Hashable, Codable {
    public var budgetID: String
    public var scope: Scope
    public var period: BudgetPeriod
    public var limit: Money
    public var spent: Money
    public var held: Money
    public var requested: Money
    /// Milliseconds since the epoch when the period restarts; nil for total budgets.
    public var resetsAt: Int64?
}
