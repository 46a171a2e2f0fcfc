import Logging
import Synchronization
import SpendwallCore
import SpendwallStorage

// Budgets shared by several replicas: the store decides every reservation under its own row
// locks; this replica's book mirrors the standings the store reports, for reads (status,
// alerts, downgrades), and is refreshed by ``refreshStandings()``.
extension Enforcer {
    /// Reserves in the shared store: all budgets in scope or none, checked against the stored
    /// limits. Nothing is sent upstream unless this returns.
    func reserve(_ request: ReservationRequest, in shared: any SharedBudgetStore) async throws(EnforcementError) -> Reservation {
        let now = clock.nowMillis()
        let holdID = request.holdID ?? request.requestID
        let placed = state.withLock { state -> Result<[HoldShare], EnforcementError> in
            guard state.open[holdID] == nil else {
                return .failure(EnforcementError(code: .storageUnavailable, message: "request id \(holdID) is already in flight"))
            }
            var shares: [HoldShare] = []
            for budget in request.budgets {
                rollIfNeeded(&state, budgetID: budget.id, now: now)
                guard let account = state.book.accounts[budget.id] else {
                    return .failure(EnforcementError(code: .storageUnavailable, message: "budget \(budget.id) is not loaded; retry shortly"))
                }
                shares.append(HoldShare(budget: budget.id, windowStart: account.window.start))
            }
            return .success(shares)
        }
        let shares = try placed.get()
        let record = holdRecord(Hold(id: holdID, amount: request.amount, shares: shares), for: request, now: now)
        let outcome: SharedReservation
        do {
            let skip = state.withLock { $0.storeQuietUntil > now }
            if skip { throw StoreError(.io, "the shared store failed within the last second; not asked again yet") }
            outcome = try await shared.reserve(record)
        } catch let error as StoreError where error.code == .duplicate {
            throw EnforcementError(code: .storageUnavailable, message: "request id \(holdID) is already in flight")
        } catch {
            state.withLock { state in
                if state.storeQuietUntil <= now { state.storeQuietUntil = clock.nowMillis() + Self.storeQuietMillis }
            }
            if admitWithoutStore(record, key: request.key) {
                logger.warning("the shared store is unreachable; admitted on this replica's fail-open allowance", metadata: [
                    "request.id": "\(request.requestID)", "hold": "\(request.amount)", "error": "\(error)",
                ])
                return Reservation(record: record, request: request, catalogVersion: catalog.current.version, startedAt: now, startedAtInstant: .now)
            }
            logger.error("could not reserve in the shared store; refusing the request", metadata: ["error": "\(error)"])
            throw EnforcementError(code: .storageUnavailable, message: "the spend ledger is unavailable; nothing was sent upstream")
        }
        let windowOf = Dictionary(uniqueKeysWithValues: shares.map { ($0.budget, $0.windowStart) })
        switch outcome {
        case .refused(let budget, let limit, let standing):
            let window = state.withLock { state -> PeriodWindow? in
                state.outageAllowanceLeft = nil  // the store answers: an outage is over
                state.statistics.refused += 1
                if let start = windowOf[budget] {
                    state.lastRefusal[budget] = start
                    state.book.mirror(budget: budget, windowStart: start, spent: standing.spent, held: standing.held)
                }
                return state.book.accounts[budget]?.window
            }
            throw refusal(for: BudgetShortfall(
                budget: budget, limit: limit, spent: standing.spent, held: standing.held, requested: request.amount,
                window: window ?? PeriodWindow(start: windowOf[budget] ?? 0, end: nil)
            ))
        case .reserved(let standings):
            let shadowed = state.withLock { state -> [(id: BudgetID, account: BudgetAccount)] in
                state.outageAllowanceLeft = nil  // the store answers: an outage is over
                state.statistics.reserved += 1
                state.open[holdID] = (record, request.key)
                var shadowed: [(id: BudgetID, account: BudgetAccount)] = []
                for (budget, standing) in standings {
                    guard let start = windowOf[budget] else { continue }
                    state.book.mirror(budget: budget, windowStart: start, spent: standing.spent, held: standing.held)
                    // A budget in shadow mode took the hold; note it if the hold did not fit.
                    if let account = state.book.accounts[budget], !account.enforced, account.spent + account.held > account.limit {
                        shadowed.append((budget, account))
                    }
                }
                return shadowed
            }
            for (id, account) in shadowed {
                shadowCounts.record("budget:\(id)")
                logger.warning("a budget in shadow mode would have refused this request", metadata: [
                    "request.id": "\(request.requestID)", "budget": "\(id)", "limit": "\(account.limit)",
                    "spent": "\(account.spent)", "held": "\(account.held)", "requested": "\(request.amount)",
                ])
            }
        }
        return Reservation(record: record, request: request, catalogVersion: catalog.current.version, startedAt: now, startedAtInstant: .now)
    }

    /// How long reservations skip a shared store that just failed to answer.
    static var storeQuietMillis: Int64 { 1000 }

    /// Fail-open: admits a hold the store could not take when this outage's allowance still
    /// covers it. The hold lives only here; its ledger row is written (and retried) as usual,
    /// and charges the budgets' spend when it lands. Returns false to fail closed.
    private func admitWithoutStore(_ record: HoldRecord, key: KeyRecord) -> Bool {
        state.withLock { state in
            state.statistics.storageFailures += 1
            let left = state.outageAllowanceLeft ?? failOpenAllowance
            state.outageAllowanceLeft = left
            guard record.hold.amount <= left, left > .zero else { return false }
            state.outageAllowanceLeft = left - record.hold.amount
            state.open[record.hold.id] = (record, key)
            state.statistics.admittedFailOpen += 1
            return true
        }
    }

    /// Charges in full the expired holds of every replica; returns how many this replica charged.
    func expireOverdue(in shared: any SharedBudgetStore, now: Int64, keys: [String: KeyRecord]) async -> Int {
        let expired: [HoldRecord]
        do {
            expired = try await shared.expiredHolds(now: now, limit: 1000)
        } catch {
            logger.error("could not list expired holds", metadata: ["error": "\(error)"])
            return 0
        }
        var charged = 0
        for record in expired {
            let key = state.withLock { state in state.open.removeValue(forKey: record.hold.id)?.key } ?? keys[record.keyID]
            if await write(expiredEntry(for: record, key: key)) {
                charged += 1
                state.withLock { $0.statistics.expired += 1 }
                logger.warning("a hold outlived its lifetime and was charged in full", metadata: [
                    "hold.id": "\(record.hold.id)", "hold.amount": "\(record.hold.amount)",
                ])
            }
        }
        return charged
    }

    /// Reads every loaded budget's current standing from the shared store into the mirror (what
    /// other replicas reserved and charged since). Does nothing on a local store.
    public func refreshStandings() async {
        guard let shared else { return }
        let now = clock.nowMillis()
        let windows = state.withLock { state -> [HoldShare] in
            state.book.accounts.keys.compactMap { id in
                rollIfNeeded(&state, budgetID: id, now: now)
                return state.book.accounts[id].map { HoldShare(budget: id, windowStart: $0.window.start) }
            }
        }
        guard !windows.isEmpty, let standings = try? await shared.standings(windows) else { return }
        state.withLock { state in
            for (window, standing) in standings {
                state.book.mirror(budget: window.budget, windowStart: window.windowStart, spent: standing.spent, held: standing.held)
            }
        }
    }

    /// Whether budgets are reserved in a store shared by several replicas.
    public var sharesBudgets: Bool { shared != nil }
}
