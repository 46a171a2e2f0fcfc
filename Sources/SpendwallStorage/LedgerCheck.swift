import SpendwallCore

/// The ledger's invariants, checked over a store's ``LedgerFacts``:
///
/// - every budget window's recorded spend equals the sum of the ledger rows charged to it;
/// - its recorded holds (where the store keeps them) equal the sum of its open holds;
/// - for every enforced budget, spend plus holds stays within the limit;
/// - no hold has two ledger rows, and no settled hold is still open.
public struct LedgerCheck: Sendable, Codable, Hashable {
    /// One broken invariant, with a stable code.
    public struct Violation: Sendable, Codable, Hashable, CustomStringConvertible {
        public var code: String
        public var message: String
        public var description: String { "\(code): \(message)" }
    }

    /// True when no invariant is broken.
    public var passed: Bool
    public var ledgerRows: Int64
    public var openHolds: Int64
    public var windowsChecked: Int
    public var violations: [Violation]

    public init(facts: LedgerFacts, budgets: [BudgetRecord]) {
        ledgerRows = facts.ledgerRows
        openHolds = facts.openHolds
        var violations: [Violation] = []
        let budgetsByID = Dictionary(budgets.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let windows = Set(facts.recordedSpent.keys).union(facts.ledgerSpent.keys).union(facts.openHeld.keys)
            .union(facts.recordedHeld.map { Array($0.keys) } ?? [])
            .sorted { ($0.budget, $0.windowStart) < ($1.budget, $1.windowStart) }
        for window in windows {
            let name = "budget '\(window.budget)' window \(window.windowStart)"
            let recorded = facts.recordedSpent[window] ?? .zero
            let charged = facts.ledgerSpent[window] ?? .zero
            if recorded != charged {
                violations.append(Violation(code: "spent_mismatch", message: "\(name): spent \(recorded) but its ledger rows sum to \(charged)"))
            }
            let open = facts.openHeld[window] ?? .zero
            if let recordedHeld = facts.recordedHeld, (recordedHeld[window] ?? .zero) != open {
                violations.append(Violation(code: "held_mismatch", message: "\(name): held \(recordedHeld[window] ?? .zero) but its open holds sum to \(open)"))
            }
            let held = facts.recordedHeld?[window] ?? open
            if let budget = budgetsByID[window.budget], !budget.shadow, recorded + held > budget.limit {
                violations.append(Violation(
                    code: "over_limit", message: "\(name): spent \(recorded) + held \(held) exceeds the limit \(budget.limit)"
                ))
            }
        }
        for hold in facts.duplicateSettlements.sorted() {
            violations.append(Violation(code: "duplicate_settlement", message: "hold '\(hold)' has more than one ledger row"))
        }
        for hold in facts.settledButOpen.sorted() {
            violations.append(Violation(code: "settled_but_open", message: "hold '\(hold)' has a ledger row and is still open"))
        }
        windowsChecked = windows.count
        self.violations = violations
        passed = violations.isEmpty
    }
}
