import SpendwallCore

/// What a store records about money, read in one consistent snapshot, for the ledger
/// invariant check (``LedgerCheck``).
public struct LedgerFacts: Sendable, Hashable {
    /// Each budget window's recorded spend (`budget_usage`).
    public var recordedSpent: [HoldShare: Money] = [:]
    /// Each budget window's recorded holds, for stores that keep them (shared stores); nil
    /// where `held` lives only in the gateway's memory (SQLite, in memory).
    public var recordedHeld: [HoldShare: Money]?
    /// The ledger's costs summed per budget window of each row's shares.
    public var ledgerSpent: [HoldShare: Money] = [:]
    /// Open holds' amounts summed per budget window of their shares.
    public var openHeld: [HoldShare: Money] = [:]
    /// Hold ids with more than one ledger row.
    public var duplicateSettlements: [String] = []
    /// Hold ids that are still open although their ledger row exists.
    public var settledButOpen: [String] = []
    /// Ledger rows and open holds counted.
    public var ledgerRows: Int64 = 0
    public var openHolds: Int64 = 0

    public init() {}
}
