import SpendwallCore

/// Where a client's holds and charges go: in this process (``LocalLedger``) or a gateway's
/// central budgets (``GatewayLedger``, remote mode).
protocol SpendLedger: Sendable {
    /// Places a hold of `amount` for a call of `model`; with `force`, even past the budget (a
    /// strategy allowed it). Throws ``BudgetExceededError`` when it does not fit.
    func reserve(_ amount: Money, model: ModelPrice, endpoint: String, force: Bool) async throws -> LedgerHold
    /// Charges the call's usage (at most the hold) and releases the rest; returns the charge.
    func settle(_ hold: LedgerHold, usage: TokenUsage, charge: Money?) async throws -> Money
    /// Spent, held and the limit now (remote: asked of the gateway).
    func standing() async throws -> BudgetStanding
    /// The figures as last known, without waiting (local: now).
    var lastStanding: BudgetStanding { get }
}

/// A hold placed by a ``SpendLedger``.
struct LedgerHold: Sendable, Hashable {
    var id: String
    var amount: Money
    var model: ModelPrice
}

/// A budget's figures at one moment.
public struct BudgetStanding: Sendable, Hashable {
    /// The most that may be spent.
    public var limit: Money
    /// Charged so far.
    public var spent: Money
    /// Held by calls in flight.
    public var held: Money
    /// What is left to reserve: limit − spent − held (zero, never negative).
    public var remaining: Money { max(.zero, limit - spent - held) }
}
