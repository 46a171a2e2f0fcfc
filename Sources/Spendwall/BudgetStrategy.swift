import SpendwallCore

/// What happens when a call's worst-case cost does not fit the budget.
public enum BudgetStrategy: Sendable {
    /// Refuse before the call: it throws ``BudgetExceededError`` and nothing is sent or charged.
    case refuse
    /// Let the call go ahead over budget; `notify` hears of it first (default: a line on
    /// standard error). Spent may then pass the limit, by at most the calls warned about.
    case warn(notify: @Sendable (BudgetExceededError) -> Void = BudgetStrategy.printWarning)
    /// Ask: `true` lets the call go ahead over budget, `false` refuses it with
    /// ``BudgetExceededError``.
    case decide(@Sendable (BudgetExceededError) -> Bool)
    /// Stop the process: run the cleanups registered with ``SpendwallClient/onTerminate(_:)``,
    /// flush standard output and error, and exit with `exitCode` (default 86, distinct from
    /// ordinary failures).
    case terminate(exitCode: Int32 = 86)

    /// Writes the refusal to standard error.
    @Sendable public static func printWarning(_ error: BudgetExceededError) {
        StandardError.write("spendwall: warning: \(error.description); going ahead (strategy: warn)\n")
    }
}
