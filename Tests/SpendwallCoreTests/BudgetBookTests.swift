import PropertyBased
import SpendwallCore
import Testing

@Suite struct BudgetBookTests {
    static let window = PeriodWindow(start: 0, end: 86_400_000)

    func makeBook(limits: [Int64]) -> BudgetBook {
        var book = BudgetBook()
        for (index, limit) in limits.enumerated() {
            book.upsert(budget: "b\(index)", limit: Money(nanodollars: limit), window: Self.window, spent: .zero)
        }
        return book
    }

    func assertInvariant(_ book: BudgetBook, sourceLocation: SourceLocation = #_sourceLocation) {
        for (id, account) in book.accounts {
            #expect(account.spent + account.held <= account.limit, "budget \(id): spent \(account.spent) + held \(account.held) > limit \(account.limit)", sourceLocation: sourceLocation)
            #expect(account.held >= .zero && account.spent >= .zero, sourceLocation: sourceLocation)
        }
        // `held` is exactly the sum of open holds on each budget.
        for (id, account) in book.accounts {
            let open = book.holds.values.filter { $0.shares.contains { $0.budget == id } }.reduce(Money.zero) { $0 + $1.amount }
            #expect(account.held == open, "budget \(id): held \(account.held) != open holds \(open)", sourceLocation: sourceLocation)
        }
    }

    @Test func reserveIsAllOrNone() {
        var book = makeBook(limits: [1_000, 100])
        let outcome = book.reserve(id: "h1", amount: Money(nanodollars: 500), budgets: ["b0", "b1"])
        guard case .refused(let shortfall) = outcome else {
            Issue.record("expected a refusal, got \(outcome)")
            return
        }
        #expect(shortfall.budget == "b1")
        #expect(book.accounts["b0"]?.held == .zero, "the budget that could pay must not keep a partial hold")
        #expect(book.holds.isEmpty)
    }

    @Test func settleChargesAtMostTheHoldAndIsIdempotent() {
        var book = makeBook(limits: [1_000])
        _ = book.reserve(id: "h1", amount: Money(nanodollars: 400), budgets: ["b0"])
        let first = book.settle(id: "h1", actual: Money(nanodollars: 900))
        #expect(first == .settled(hold: Hold(id: "h1", amount: Money(nanodollars: 400), shares: [HoldShare(budget: "b0", windowStart: 0)]),
                                  charged: Money(nanodollars: 400), released: .zero, overHold: Money(nanodollars: 500)))
        #expect(book.settle(id: "h1", actual: Money(nanodollars: 1)) == .alreadySettled)
        #expect(book.accounts["b0"]?.spent == Money(nanodollars: 400))
        #expect(book.accounts["b0"]?.held == .zero)
    }

    @Test func expireChargesTheWholeHold() {
        var book = makeBook(limits: [1_000])
        _ = book.reserve(id: "h1", amount: Money(nanodollars: 300), budgets: ["b0"])
        _ = book.expire(id: "h1")
        #expect(book.accounts["b0"]?.spent == Money(nanodollars: 300))
        #expect(book.expire(id: "h1") == .alreadySettled)
    }

    @Test func rollingTheWindowStartsSpendAfreshAndOldHoldsSettleOutsideIt() {
        var book = makeBook(limits: [1_000])
        _ = book.reserve(id: "old", amount: Money(nanodollars: 600), budgets: ["b0"])
        book.roll(budget: "b0", to: PeriodWindow(start: 86_400_000, end: 172_800_000))
        #expect(book.accounts["b0"]?.held == .zero)
        if case .reserved = book.reserve(id: "new", amount: Money(nanodollars: 900), budgets: ["b0"]) {} else {
            Issue.record("the new window should have room for 900")
        }
        _ = book.settle(id: "old", actual: Money(nanodollars: 600))
        #expect(book.accounts["b0"]?.spent == .zero, "a hold from the previous window must not charge the new one")
        #expect(book.accounts["b0"]?.held == Money(nanodollars: 900))
    }

    /// Random interleavings of reserve, settle, expire and crash-restore keep, for every budget,
    /// `spent + held ≤ limit`, and `held` equal to the open holds.
    @Test func randomInterleavingsKeepTheInvariant() async {
        let operations = Gen.int(in: 0...99).array(of: 1...200)
        await propertyCheck(count: 300, input: operations, Gen.int64(in: 1...5_000)) { steps, scale in
            var book = makeBook(limits: [scale * 10, scale * 3, scale * 50])
            var next = 0
            var open: [String] = []
            for step in steps {
                switch step % 5 {
                case 0, 1:
                    next += 1
                    let id = "h\(next)"
                    let budgets = ["b0", "b1", "b2"].enumerated().filter { (step >> $0.offset) & 1 == 1 || $0.offset == 0 }.map(\.element)
                    let amount = Money(nanodollars: Int64(step) * scale / 7 + 1)
                    if case .reserved = book.reserve(id: id, amount: amount, budgets: budgets) { open.append(id) }
                case 2 where !open.isEmpty:
                    let id = open.removeFirst()
                    _ = book.settle(id: id, actual: Money(nanodollars: Int64(step) * scale / 5))
                case 3 where !open.isEmpty:
                    let id = open.removeLast()
                    _ = book.expire(id: id)
                case 4:
                    // A restart: rebuild the book from durable facts (spent per budget, open holds).
                    var restarted = BudgetBook()
                    for (id, account) in book.accounts {
                        restarted.upsert(budget: id, limit: account.limit, window: account.window, spent: account.spent)
                    }
                    for hold in book.holds.values { restarted.restore(hold) }
                    #expect(restarted.accounts == book.accounts)
                    book = restarted
                default:
                    break
                }
                assertInvariant(book)
            }
        }
    }
}
