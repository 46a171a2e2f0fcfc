import SpendwallCore
import Synchronization

/// The budget kept in this process: the gateway's `BudgetBook` rules (a hold before the call,
/// all or none; charge ≤ hold at settlement) under one lock, so concurrent calls never
/// overspend.
final class LocalLedger: SpendLedger {
    static let budgetID = "sdk"
    let book: Mutex<BudgetBook>
    let limit: Money
    let counter = Atomic<Int>(0)

    init(limit: Money) {
        self.limit = limit
        var book = BudgetBook()
        book.upsert(budget: Self.budgetID, limit: limit, window: PeriodWindow(start: 0, end: nil), spent: .zero)
        self.book = Mutex(book)
    }

    func reserve(_ amount: Money, model: ModelPrice, endpoint: String, force: Bool) async throws -> LedgerHold {
        let id = "h\(counter.add(1, ordering: .relaxed).newValue)"
        let outcome = book.withLock { book -> BudgetBook.ReserveOutcome in
            if force {
                // Allowed over budget by the strategy: the budget takes this hold unenforced.
                let account = book.accounts[Self.budgetID]!
                book.upsert(budget: Self.budgetID, limit: limit, window: account.window, spent: account.spent, enforced: false)
                defer { book.upsert(budget: Self.budgetID, limit: limit, window: account.window, spent: account.spent, enforced: true) }
                return book.reserve(id: id, amount: amount, budgets: [Self.budgetID])
            }
            return book.reserve(id: id, amount: amount, budgets: [Self.budgetID])
        }
        switch outcome {
        case .reserved(let hold):
            return LedgerHold(id: hold.id, amount: amount, model: model)
        case .refused(let shortfall):
            throw BudgetExceededError(spent: shortfall.spent, held: shortfall.held, limit: shortfall.limit, hold: amount, model: model.name)
        case .duplicate, .unknownBudget:
            throw SpendwallError(.invalidRequest, "the in-process budget is in an impossible state")
        }
    }

    func settle(_ hold: LedgerHold, usage: TokenUsage, charge: Money?) async throws -> Money {
        let actual = charge ?? CostCalculator.price(usage, model: hold.model).cost
        let outcome = book.withLock { $0.settle(id: hold.id, actual: actual) }
        guard case .settled(_, let charged, _, _) = outcome else { return .zero }
        return charged
    }

    func standing() async throws -> BudgetStanding { lastStanding }

    var lastStanding: BudgetStanding {
        book.withLock { book in
            let account = book.accounts[Self.budgetID]!
            return BudgetStanding(limit: limit, spent: account.spent, held: account.held)
        }
    }
}
