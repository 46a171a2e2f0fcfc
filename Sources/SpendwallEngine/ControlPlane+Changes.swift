import SpendwallStorage

// Changes made by other replicas of a shared store: the store announces them (PostgreSQL
// LISTEN/NOTIFY) and each replica applies them as if it had made them itself.
extension ControlPlane {
    /// Applies a change announced by the store: `change` names the table that changed, or is
    /// ``resyncChange`` for everything. Rebuilds the directory (keys, budgets, blocks,
    /// policies); for budgets, loads new and changed ones into the enforcer and drops deleted
    /// ones; for blocks, cuts the live streams of every blocked scope.
    public func synchronize(_ change: String) async throws {
        let directory = try await reload()
        if change == resyncChange || change == "budgets" {
            try await enforcer.load(budgets: Array(directory.budgetsByID.values))
            for id in enforcer.loadedBudgetIDs where directory.budgetsByID[id] == nil {
                enforcer.unload(budgetID: id)
            }
        }
        if change == resyncChange || change == "blocks" {
            for block in directory.blocks {
                _ = liveStreams.cut(covering: block)
            }
        }
    }
}
