import SpendwallCore

/// A store that reserves budgets itself, so that several gateway replicas share them
/// (PostgreSQL). The gateway then decides nothing about room in memory: the store's
/// conditional updates do, under its own row locks.
///
/// Besides the ``SpendStore`` contract, a shared store keeps a `held` amount per budget window,
/// always equal to the open holds placed in it: `recordHold` and `reserve` add the hold,
/// `settle` takes it off again (when the hold was open), in the same transaction.
public protocol SharedBudgetStore: SpendStore {
    /// Reserves a hold: in one transaction, locking the hold's budget windows in budget-id order,
    /// checks every enforced budget (`spent + held + amount ≤ limit`, the limit and shadow flag
    /// read from the stored budget), adds the amount to each window's `held` and records the
    /// hold. All or nothing. Budgets that no longer exist are skipped.
    func reserve(_ hold: HoldRecord) async throws -> SharedReservation

    /// Settles several ledger rows in one transaction, each exactly as ``SpendStore/settle(_:)``
    /// would (a row whose hold already has one changes nothing). Returns the hold ids whose rows
    /// this call wrote.
    func settle(batch entries: [LedgerEntry]) async throws -> Set<String>

    /// The spend and holds of some budget windows; a window with neither reads as zero.
    func standings(_ windows: [HoldShare]) async throws -> [HoldShare: BudgetStanding]

    /// Open holds whose expiry is at or before `now`, oldest first, at most `limit`: those of
    /// every replica, including replicas that died.
    func expiredHolds(now: Int64, limit: Int) async throws -> [HoldRecord]

    /// Follows changes to keys, budgets, blocks and policies made by any replica, calling
    /// `onChange` with the changed table's name, and with ``resyncChange`` whenever following
    /// (re)starts, since changes made meanwhile were not seen. Returns when the connection is
    /// lost (the caller reconnects) or the task is cancelled.
    func followChanges(_ onChange: @escaping @Sendable (String) async -> Void) async throws
}

/// The change name that asks for a full reload.
public let resyncChange = "*"

/// What a budget window stands at: charged, and reserved by open holds.
public struct BudgetStanding: Sendable, Hashable {
    public var spent: Money
    public var held: Money

    public init(spent: Money, held: Money) {
        self.spent = spent
        self.held = held
    }
}

/// The outcome of ``SharedBudgetStore/reserve(_:)``.
public enum SharedReservation: Sendable, Hashable {
    /// The hold is recorded; each budget window's standing after it (budgets that no longer
    /// exist are absent).
    case reserved([BudgetID: BudgetStanding])
    /// Nothing was written: `budget` could not cover the hold.
    case refused(budget: BudgetID, limit: Money, standing: BudgetStanding)
}
