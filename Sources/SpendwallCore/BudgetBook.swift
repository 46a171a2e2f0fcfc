/// Identifies one hold (one reserved request).
public typealias HoldID = String

/// Identifies one budget.
public typealias BudgetID = String

/// A budget's standing in its current window.
public struct BudgetAccount: Sendable, Hashable {
    public var limit: Money
    public var window: PeriodWindow
    /// Charged in `window`.
    public var spent: Money
    /// Reserved by holds placed in `window` that have not settled yet.
    public var held: Money
    /// False for a budget in shadow mode: holds and charges are counted, but it never refuses.
    public var enforced: Bool

    public init(limit: Money, window: PeriodWindow, spent: Money = .zero, held: Money = .zero, enforced: Bool = true) {
        self.limit = limit
        self.window = window
        self.spent = spent
        self.held = held
        self.enforced = enforced
    }

    /// What is left to reserve.
    public var available: Money { limit - spent - held }
}

/// One budget a hold draws on, with the window it was placed in.
public struct HoldShare: Sendable, Hashable, Codable {
    public var budget: BudgetID
    public var windowStart: Int64

    public init(budget: BudgetID, windowStart: Int64) {
        self.budget = budget
        self.windowStart = windowStart
    }
}

/// A reservation not yet settled.
public struct Hold: Sendable, Hashable, Codable {
    public var id: HoldID
    public var amount: Money
    public var shares: [HoldShare]

    public init(id: HoldID, amount: Money, shares: [HoldShare]) {
        self.id = id
        self.amount = amount
        self.shares = shares
    }
}

/// Why a reservation was refused: the first budget that could not cover it.
public struct BudgetShortfall: Sendable, Hashable {
    public var budget: BudgetID
    public var limit: Money
    public var spent: Money
    public var held: Money
    public var requested: Money
    public var window: PeriodWindow

    public init(budget: BudgetID, limit: Money, spent: Money, held: Money, requested: Money, window: PeriodWindow) {
        self.budget = budget
        self.limit = limit
        self.spent = spent
        self.held = held
        self.requested = requested
        self.window = window
    }
}

/// The in-memory ledger of budgets and open holds, as a value-type state machine.
///
/// Every mutation keeps, for every enforced budget, `spent + held ≤ limit` in its current window
/// (a budget in shadow mode counts the same holds and charges but never refuses), with
/// one exception the caller opts into: settling or expiring charges at most the hold, and the hold
/// was admitted under the limit, so a charge can never push `spent` past it.
///
/// The book never reads a clock: callers pass the budget's current window in.
public struct BudgetBook: Sendable {
    public private(set) var accounts: [BudgetID: BudgetAccount] = [:]
    public private(set) var holds: [HoldID: Hold] = [:]

    public init() {}

    /// Sets (or replaces) a budget's limit and current window, keeping spend and holds when the
    /// window is unchanged.
    public mutating func upsert(budget: BudgetID, limit: Money, window: PeriodWindow, spent: Money, enforced: Bool = true) {
        if var account = accounts[budget], account.window == window {
            account.limit = limit
            account.spent = spent
            account.enforced = enforced
            accounts[budget] = account
        } else {
            let held = heldAmount(budget: budget, windowStart: window.start)
            accounts[budget] = BudgetAccount(limit: limit, window: window, spent: spent, held: held, enforced: enforced)
        }
    }

    /// Forgets a budget. Open holds stay and settle without touching it.
    public mutating func remove(budget: BudgetID) {
        accounts[budget] = nil
    }

    /// Moves a budget into a new window (its period rolled over): spend restarts at `spent`
    /// (usually zero) and only holds placed in the new window count.
    public mutating func roll(budget: BudgetID, to window: PeriodWindow, spent: Money = .zero) {
        guard var account = accounts[budget], account.window != window else { return }
        account.window = window
        account.spent = spent
        account.held = heldAmount(budget: budget, windowStart: window.start)
        accounts[budget] = account
    }

    /// The outcome of `reserve`.
    public enum ReserveOutcome: Sendable, Hashable {
        case reserved(Hold)
        case refused(BudgetShortfall)
        case duplicate
        case unknownBudget(BudgetID)
    }

    /// Places a hold of `amount` on every budget in `budgets`, all or none. Budgets in shadow
    /// mode take the hold whether it fits or not.
    public mutating func reserve(id: HoldID, amount: Money, budgets: [BudgetID]) -> ReserveOutcome {
        guard holds[id] == nil else { return .duplicate }
        var shares: [HoldShare] = []
        shares.reserveCapacity(budgets.count)
        for budget in budgets {
            guard let account = accounts[budget] else { return .unknownBudget(budget) }
            if amount < .zero || (account.enforced && amount > account.available) {
                return .refused(BudgetShortfall(
                    budget: budget, limit: account.limit, spent: account.spent, held: account.held,
                    requested: amount, window: account.window
                ))
            }
            shares.append(HoldShare(budget: budget, windowStart: account.window.start))
        }
        for share in shares { accounts[share.budget]?.held += amount }
        let hold = Hold(id: id, amount: amount, shares: shares)
        holds[id] = hold
        return .reserved(hold)
    }

    /// Restores a hold that was durable before a restart (or placed by another replica).
    /// Budgets whose window moved on do not count it.
    public mutating func restore(_ hold: Hold) {
        guard holds[hold.id] == nil else { return }
        holds[hold.id] = hold
        for share in hold.shares where accounts[share.budget]?.window.start == share.windowStart {
            accounts[share.budget]?.held += hold.amount
        }
    }

    /// The outcome of `settle` and `expire`.
    public enum SettleOutcome: Sendable, Hashable {
        /// The hold closed; `charged` was added to spend, `released` went back.
        case settled(hold: Hold, charged: Money, released: Money, overHold: Money)
        /// No open hold with that id: it already settled (settlement is idempotent).
        case alreadySettled
    }

    /// Closes a hold, charging `actual` capped at the hold; the rest is released. An `actual`
    /// above the hold is reported as `overHold` (a pricing bug to count and log).
    public mutating func settle(id: HoldID, actual: Money) -> SettleOutcome {
        guard let hold = holds.removeValue(forKey: id) else { return .alreadySettled }
        let actual = max(actual, .zero)
        let charged = min(actual, hold.amount)
        let overHold = actual > hold.amount ? actual - hold.amount : .zero
        for share in hold.shares {
            guard var account = accounts[share.budget], account.window.start == share.windowStart else { continue }
            account.held -= hold.amount
            account.spent += charged
            accounts[share.budget] = account
        }
        return .settled(hold: hold, charged: charged, released: hold.amount - charged, overHold: overHold)
    }

    /// Closes a hold whose owner is gone, charging it in full.
    public mutating func expire(id: HoldID) -> SettleOutcome {
        guard let hold = holds[id] else { return .alreadySettled }
        return settle(id: id, actual: hold.amount)
    }

    // MARK: Mirroring a shared store

    /// Sets a budget window's spend and holds to what a shared store reports (several replicas
    /// reserve there, so this book only mirrors them). Ignored when the budget is not in that
    /// window.
    public mutating func mirror(budget: BudgetID, windowStart: Int64, spent: Money, held: Money) {
        guard var account = accounts[budget], account.window.start == windowStart else { return }
        account.spent = spent
        account.held = held
        accounts[budget] = account
    }

    /// Applies a settlement this replica made in a shared store to the mirrored standing of each
    /// share's window: `charged` joins the spend, the hold leaves `held`.
    public mutating func mirrorSettlement(of hold: Hold, charged: Money) {
        for share in hold.shares {
            guard var account = accounts[share.budget], account.window.start == share.windowStart else { continue }
            account.spent += charged
            account.held = max(.zero, account.held - hold.amount)
            accounts[share.budget] = account
        }
    }

    func heldAmount(budget: BudgetID, windowStart: Int64) -> Money {
        var total = Money.zero
        for hold in holds.values {
            for share in hold.shares where share.budget == budget && share.windowStart == windowStart {
                total += hold.amount
            }
        }
        return total
    }
}
