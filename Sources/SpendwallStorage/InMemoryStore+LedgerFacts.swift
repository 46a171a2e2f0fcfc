import SpendwallCore
import Synchronization

extension InMemoryStore {
    /// Spend, holds and ledger totals, summed from the records under one lock.
    public func ledgerFacts() async throws -> LedgerFacts {
        state.withLock { state in
            var facts = LedgerFacts()
            facts.recordedSpent = state.usage
            var rowsPerHold: [HoldID: Int] = [:]
            for entry in state.ledger {
                rowsPerHold[entry.holdID, default: 0] += 1
                for share in entry.shares { facts.ledgerSpent[share, default: .zero] += entry.cost }
            }
            for record in state.holds.values {
                for share in record.hold.shares { facts.openHeld[share, default: .zero] += record.hold.amount }
            }
            facts.duplicateSettlements = rowsPerHold.filter { $0.value > 1 }.map(\.key)
            facts.settledButOpen = state.holds.keys.filter { rowsPerHold[$0] != nil }
            facts.ledgerRows = Int64(state.ledger.count)
            facts.openHolds = Int64(state.holds.count)
            return facts
        }
    }
}
