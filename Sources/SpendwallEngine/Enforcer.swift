import Logging
import SpendwallCore
import SpendwallStorage
import Synchronization

/// Told of each ledger row as it is settled (before it is written).
public protocol SettlementObserver: Sendable {
    func settled(_ entry: LedgerEntry)
}

/// Places, settles and expires holds: the budget firewall without HTTP.
///
/// The decision is made in memory under a short lock (`BudgetBook`, all budgets in scope or
/// none); the hold is then made durable in the store before the caller may forward anything.
/// Settlement charges at most the hold, releases the rest and appends one ledger row.
public final class Enforcer: Sendable {
    struct State: Sendable {
        var book = BudgetBook()
        var budgets: [BudgetID: BudgetRecord] = [:]
        /// Open holds with the key that placed them (for attribution if they expire).
        var open: [HoldID: (record: HoldRecord, key: KeyRecord)] = [:]
        var statistics = EnforcerStatistics()
        /// The window start of each budget's most recent refusal for lack of room.
        var lastRefusal: [BudgetID: Int64] = [:]
        /// Ledger rows the store could not take yet, retried until they land (exactly once: the
        /// ledger refuses a second row for a hold).
        var unsettled: [LedgerEntry] = []
        /// Ledger rows being written now (not queued, not in the store yet).
        var writesInFlight = 0
        /// While a shared store cannot be reached: what is left of the fail-open allowance for
        /// this outage. Nil while the store answers.
        var outageAllowanceLeft: Money?
        /// After a shared store failed to answer: until when reservations skip it (fail fast)
        /// rather than each wait out its timeout. The first one after this probes it again.
        var storeQuietUntil: Int64 = 0
        /// While a ``LedgerWriter`` runs (shared store): where settled rows go to be written after
        /// the answer, instead of before it.
        var deferredRows: AsyncStream<LedgerEntry>.Continuation?
        /// Each budget's exponentially weighted burn rate, from the charges this process settled.
        var burn: [BudgetID: BurnRate] = [:]
    }

    let state = Mutex(State())
    let store: any SpendStore
    public let clock: any WallClock
    let calendar = PeriodCalendar()
    let holdLifetimeMillis: Int64
    let logger: Logger
    let catalog: CatalogHolder
    /// Set when the store reserves budgets itself (PostgreSQL, shared by replicas): the book in
    /// `state` then only mirrors the store's standings, for reads.
    let shared: (any SharedBudgetStore)?
    /// Would-be refusals of budgets in shadow mode.
    public let shadowCounts = ShadowCounts()
    /// Worst-case dollars this replica may admit on its own per outage of a shared store.
    let failOpenAllowance: Money
    /// Told of every ledger row this process settles (metrics). An existential, not a closure:
    /// a closure kept in the generic `Mutex` was miscompiled in release builds (its
    /// re-abstraction thunks called each other until the stack overflowed).
    let settledObserver = Mutex<(any SettlementObserver)?>(nil)

    /// - Parameters:
    ///   - holdLifetime: how long a hold may stay open before it is charged in full as expired;
    ///     longer than any upstream request may take.
    ///   - failOpenAllowance: on a shared store, the worst-case cost this replica may admit
    ///     without the store while it cannot be reached, per outage; zero fails closed.
    public init(
        store: any SpendStore, catalog: CatalogHolder, clock: any WallClock, holdLifetime: Duration, failOpenAllowance: Money = .zero,
        logger: Logger
    ) {
        self.failOpenAllowance = failOpenAllowance
        self.store = store
        self.catalog = catalog
        self.clock = clock
        self.holdLifetimeMillis = Int64(holdLifetime.components.seconds) * 1000
        self.logger = logger
        self.shared = store as? any SharedBudgetStore
    }

    // MARK: Start-up

    /// Charges every hold left open by a previous process in full, then loads every budget's
    /// spend for its current window. Run once, before serving. On a shared store the open holds
    /// may belong to live replicas: they are left to expire (see ``expireOverdue(keys:)``).
    public func recover(directory: Directory) async throws {
        let leftovers = shared == nil ? try await store.openHolds() : []
        for record in leftovers {
            let entry = expiredEntry(for: record, key: directory.keysByID[record.keyID])
            try await store.settle(entry)
            logger.warning("charged a hold left open by a previous run in full", metadata: [
                "hold.id": "\(record.hold.id)", "hold.amount": "\(record.hold.amount)",
            ])
        }
        try await load(budgets: Array(directory.budgetsByID.values))
    }

    /// Adds or updates a budget, loading its spend in the current window.
    public func load(budget: BudgetRecord) async throws {
        try await load(budgets: [budget])
    }

    /// Adds or updates budgets, loading their spend in their current windows; on a shared store
    /// with one query for all of them.
    public func load(budgets: [BudgetRecord]) async throws {
        let now = clock.nowMillis()
        let windows = try budgets.map { try calendar.window(for: $0.period, timeZone: $0.timeZone, at: now) }
        let shares = zip(budgets, windows).map { HoldShare(budget: $0.id, windowStart: $1.start) }
        var standings: [HoldShare: BudgetStanding] = [:]
        if let shared {
            standings = try await shared.standings(shares)
        } else {
            for share in shares {
                standings[share] = BudgetStanding(spent: try await store.spent(budgetID: share.budget, windowStart: share.windowStart), held: .zero)
            }
        }
        state.withLock { state in
            for (budget, (window, share)) in zip(budgets, zip(windows, shares)) {
                let standing = standings[share] ?? BudgetStanding(spent: .zero, held: .zero)
                state.budgets[budget.id] = budget
                state.book.upsert(budget: budget.id, limit: budget.limit, window: window, spent: standing.spent, enforced: !budget.shadow)
                if shared != nil {
                    state.book.mirror(budget: budget.id, windowStart: window.start, spent: standing.spent, held: standing.held)
                }
            }
        }
    }

    /// The budgets being enforced.
    public var loadedBudgetIDs: Set<String> { state.withLock { Set($0.budgets.keys) } }

    /// Stops enforcing a budget.
    public func unload(budgetID: String) {
        state.withLock { state in
            state.budgets[budgetID] = nil
            state.book.remove(budget: budgetID)
        }
    }

    // MARK: Hot path

    /// Reserves `request.amount` on every budget in scope and makes the hold durable.
    public func reserve(_ request: ReservationRequest) async throws(EnforcementError) -> Reservation {
        if let shared { return try await reserve(request, in: shared) }
        let now = clock.nowMillis()
        let holdID = request.holdID ?? request.requestID
        let budgetIDs = request.budgets.map(\.id)
        let (outcome, shadowed) = state.withLock { state -> (BudgetBook.ReserveOutcome, [(id: BudgetID, account: BudgetAccount)]) in
            for id in budgetIDs { rollIfNeeded(&state, budgetID: id, now: now) }
            // Budgets in shadow mode take the hold whatever; note the ones it would not fit.
            let shadowed = budgetIDs.compactMap { id -> (id: BudgetID, account: BudgetAccount)? in
                guard let account = state.book.accounts[id], !account.enforced, request.amount > account.available else { return nil }
                return (id, account)
            }
            let outcome = state.book.reserve(id: holdID, amount: request.amount, budgets: budgetIDs)
            switch outcome {
            case .reserved: state.statistics.reserved += 1
            case .refused(let shortfall):
                state.statistics.refused += 1
                state.lastRefusal[shortfall.budget] = shortfall.window.start
            case .duplicate, .unknownBudget: break
            }
            return (outcome, shadowed)
        }
        if case .reserved = outcome {
            for (id, account) in shadowed {
                shadowCounts.record("budget:\(id)")
                logger.warning("a budget in shadow mode would have refused this request", metadata: [
                    "request.id": "\(request.requestID)", "budget": "\(id)", "limit": "\(account.limit)",
                    "spent": "\(account.spent)", "held": "\(account.held)", "requested": "\(request.amount)",
                ])
            }
        }
        let hold: Hold
        switch outcome {
        case .reserved(let placed):
            hold = placed
        case .refused(let shortfall):
            throw refusal(for: shortfall)
        case .duplicate:
            throw EnforcementError(code: .storageUnavailable, message: "request id \(holdID) is already in flight")
        case .unknownBudget(let id):
            throw EnforcementError(code: .storageUnavailable, message: "budget \(id) is not loaded; retry shortly")
        }
        let record = holdRecord(hold, for: request, now: now)
        do {
            try await store.recordHold(record)
        } catch {
            state.withLock { state in
                _ = state.book.settle(id: holdID, actual: .zero)
                state.statistics.storageFailures += 1
            }
            logger.error("could not make a hold durable; refusing the request", metadata: ["error": "\(error)"])
            throw EnforcementError(code: .storageUnavailable, message: "the spend ledger is unavailable; nothing was sent upstream")
        }
        state.withLock { $0.open[holdID] = (record, request.key) }
        return Reservation(
            record: record, request: request, catalogVersion: catalog.current.version, startedAt: now,
            startedAtInstant: .now
        )
    }

    func holdRecord(_ hold: Hold, for request: ReservationRequest, now: Int64) -> HoldRecord {
        HoldRecord(
            hold: hold, requestID: request.requestID, keyID: request.key.id, tenantID: request.key.tenantID,
            provider: request.model.provider, model: PriceCatalog.publicName(of: request.model), tags: request.tags, createdAt: now,
            expiresAt: now + holdLifetimeMillis
        )
    }

    /// Settles a reservation: charges the priced usage (at most the hold), releases the rest and
    /// appends the ledger row. Idempotent: a hold already settled or expired is left alone.
    @discardableResult
    public func settle(_ reservation: Reservation, _ settlement: Settlement) async -> LedgerEntry? {
        let tier = settlement.billedTier(requested: reservation.request.serviceTier)
        let priced = CostCalculator.price(settlement.usage, model: reservation.request.model.served(at: tier))
        var actual: Money
        switch settlement.status {
        case .expired: actual = reservation.record.hold.amount
        case .notSent, .upstreamError: actual = settlement.usage == .zero ? .zero : priced.cost
        case .cached: actual = .zero
        case .settled, .estimated, .killed: actual = settlement.chargesHold ? reservation.record.hold.amount : priced.cost
        }
        if settlement.status == .estimated || settlement.status == .killed { actual = min(actual, reservation.record.hold.amount) }
        if let charge = settlement.charge { actual = min(max(charge, .zero), reservation.record.hold.amount) }
        let holdID = reservation.record.hold.id
        let now = clock.nowMillis()
        let (outcome, deferredRows) = state.withLock { state -> (BudgetBook.SettleOutcome, AsyncStream<LedgerEntry>.Continuation?) in
            let outcome: BudgetBook.SettleOutcome
            if shared != nil {
                // The store closes the hold; here only this replica's record of it goes.
                guard let open = state.open[holdID] else { return (.alreadySettled, nil) }
                let hold = open.record.hold
                let charged = min(max(actual, .zero), hold.amount)
                outcome = .settled(hold: hold, charged: charged, released: hold.amount - charged, overHold: max(.zero, actual - hold.amount))
            } else {
                outcome = state.book.settle(id: holdID, actual: actual)
            }
            if case .settled(let hold, let charged, _, let overHold) = outcome {
                for share in hold.shares { state.burn[share.budget, default: BurnRate()].record(charged, at: now) }
                state.open[holdID] = nil
                state.writesInFlight += 1
                state.statistics.settled += 1
                if settlement.status == .estimated { state.statistics.estimated += 1 }
                if overHold > .zero { state.statistics.overHold += 1 }
            }
            return (outcome, state.deferredRows)
        }
        guard case .settled(let hold, let charged, _, let overHold) = outcome else { return nil }
        if overHold > .zero {
            logger.error("usage cost more than its hold: the worst-case bound is wrong", metadata: [
                "request.id": "\(reservation.request.requestID)", "model": "\(reservation.request.model.name)",
                "hold": "\(hold.amount)", "actual": "\(actual)",
            ])
        }
        let finished = clock.nowMillis()
        let elapsed = ContinuousClock.now - reservation.startedAtInstant
        let request = reservation.request
        let entry = LedgerEntry(
            requestID: request.requestID, holdID: holdID, keyID: request.key.id, tenantID: request.key.tenantID,
            teamID: request.key.teamID, userID: request.key.userID, tags: request.tags,
            provider: request.model.provider, model: PriceCatalog.publicName(of: request.model), endpoint: request.endpoint,
            usage: settlement.usage, rates: priced.rates, catalogVersion: reservation.catalogVersion,
            cost: charged, listCost: actual, hold: hold.amount, status: settlement.status,
            upstreamStatus: settlement.upstreamStatus, upstreamID: settlement.upstreamID,
            latencyMillis: elapsed.milliseconds, startedAt: reservation.startedAt, finishedAt: finished,
            shares: hold.shares, decision: request.decision
        )
        settledObserver.withLock { $0 }?.settled(entry)
        // Handed to the ledger writer, the row is written after the answer; if the writer has
        // just stopped, it is written here.
        if let deferredRows, case .enqueued = deferredRows.yield(entry) { return entry }
        await write(entry, counted: true)
        return entry
    }

    // MARK: Reads

    /// A budget's standing now.
    public func account(budgetID: String) -> BudgetAccount? {
        let now = clock.nowMillis()
        return state.withLock { state in
            rollIfNeeded(&state, budgetID: budgetID, now: now)
            return state.book.accounts[budgetID]
        }
    }

    /// Whether the budget refused a request for lack of room in the window starting at
    /// `windowStart`: it can no longer cover requests, whatever its spend says.
    public func hasRefused(budgetID: String, windowStart: Int64) -> Bool {
        state.withLock { $0.lastRefusal[budgetID] == windowStart }
    }

    /// Where a budget is heading at its burn rate (exponentially weighted, from the charges this
    /// process settled); nil for a budget not loaded.
    public func forecast(budgetID: String) -> BudgetForecast? {
        let now = clock.nowMillis()
        return state.withLock { state in
            rollIfNeeded(&state, budgetID: budgetID, now: now)
            guard let account = state.book.accounts[budgetID] else { return nil }
            let rate = state.burn[budgetID]?.nanodollarsPerMilli(at: now) ?? 0
            return BudgetForecast.make(account: account, nanodollarsPerMilli: rate, now: now)
        }
    }

    /// Calls `observer` with every ledger row this process settles, charges as expired or
    /// answers from the cache, as it is settled (before it is written).
    public func onSettled(_ observer: any SettlementObserver) {
        settledObserver.withLock { $0 = observer }
    }

    /// Counters since start.
    public var statistics: EnforcerStatistics { state.withLock { $0.statistics } }

    /// Number of holds currently open.
    public var openHoldCount: Int { state.withLock { $0.open.count } }

    // MARK: Helpers

    func rollIfNeeded(_ state: inout State, budgetID: String, now: Int64) {
        guard let account = state.book.accounts[budgetID], let end = account.window.end, now >= end,
              let budget = state.budgets[budgetID],
              let window = try? calendar.window(for: budget.period, timeZone: budget.timeZone, at: now) else { return }
        state.book.roll(budget: budgetID, to: window)
    }

    func refusal(for shortfall: BudgetShortfall) -> EnforcementError {
        let budget = state.withLock { $0.budgets[shortfall.budget] }
        let scope = budget?.scope ?? .tenant("?")
        let period = budget?.period ?? .total
        let details = BudgetRefusal(
            budgetID: shortfall.budget, scope: scope, period: period, limit: shortfall.limit, spent: shortfall.spent,
            held: shortfall.held, requested: shortfall.requested, resetsAt: shortfall.window.end
        )
        let periodText = period == .total ? "total" : period.rawValue
        let message = "Budget exceeded: the \(periodText) budget '\(shortfall.budget)' on \(scope) has limit \(shortfall.limit), " +
            "spent \(shortfall.spent) and \(shortfall.held) held by requests in flight; this request needs up to " +
            "\(shortfall.requested)" + (shortfall.window.end.map { ". It resets at \(ISOTime.format(millis: $0))" } ?? ". It does not reset") + "."
        return EnforcementError(code: .budgetExceeded, message: message, budget: details)
    }

    /// Appends the ledger row of a request answered from the response cache: no hold, no budget
    /// charged; `saved` (what the answer cost when generated) is recorded as its list cost.
    @discardableResult
    public func recordCacheHit(
        requestID: String, key: KeyRecord, tags: [String], model: ModelPrice, endpoint: String, usage: TokenUsage, saved: Money,
        upstreamID: String?, decision: String?
    ) async -> LedgerEntry {
        let now = clock.nowMillis()
        let priced = CostCalculator.price(usage, model: model)
        let entry = LedgerEntry(
            requestID: requestID, holdID: "cache-" + requestID, keyID: key.id, tenantID: key.tenantID, teamID: key.teamID,
            userID: key.userID, tags: tags, provider: model.provider, model: PriceCatalog.publicName(of: model), endpoint: endpoint,
            usage: usage, rates: priced.rates, catalogVersion: catalog.current.version, cost: .zero, listCost: saved, hold: .zero,
            status: .cached, upstreamStatus: 200, upstreamID: upstreamID, latencyMillis: 0, startedAt: now, finishedAt: now, shares: [],
            decision: decision
        )
        state.withLock { $0.statistics.cacheHits += 1 }
        settledObserver.withLock { $0 }?.settled(entry)
        await write(entry)
        return entry
    }

    func expiredEntry(for record: HoldRecord, key: KeyRecord?) -> LedgerEntry {
        let rates = catalog.current.resolve(model: record.model, provider: record.provider)?.rates ?? TokenRates(input: 0, output: 0)
        let now = clock.nowMillis()
        return LedgerEntry(
            requestID: record.requestID, holdID: record.hold.id, keyID: record.keyID, tenantID: record.tenantID,
            teamID: key?.teamID, userID: key?.userID, tags: record.tags, provider: record.provider, model: record.model,
            endpoint: record.keyID.hasPrefix(Sentinel.deploymentIDPrefix) ? LedgerEntry.gpuTimeEndpoint : "", usage: .zero, rates: rates, catalogVersion: catalog.current.version, cost: record.hold.amount,
            listCost: record.hold.amount, hold: record.hold.amount, status: .expired, upstreamStatus: nil, upstreamID: nil,
            latencyMillis: max(0, now - record.createdAt), startedAt: record.createdAt, finishedAt: now, shares: record.hold.shares
        )
    }
}

extension Duration {
    var milliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }
}
