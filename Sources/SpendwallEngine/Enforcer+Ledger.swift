import Logging
import SpendwallCore
import SpendwallStorage
import Synchronization

// Writing ledger rows (queued and retried when the store cannot take them), and the upkeep the
// hold reaper runs: retries and expiry.
extension Enforcer {
    /// Writes a ledger row; one the store cannot take now is queued and retried until it lands
    /// (``retryUnsettled()``). Returns whether this call wrote it (false: a row for the hold was
    /// already there, e.g. another replica charged it as expired, or it is queued).
    @discardableResult
    /// `counted`: the caller already counted the write in flight, in the same lock that closed
    /// the hold, so that no moment shows the row neither open nor unsettled.
    func write(_ entry: LedgerEntry, counted: Bool = false) async -> Bool {
        if !counted { state.withLock { $0.writesInFlight += 1 } }
        defer { state.withLock { $0.writesInFlight -= 1 } }
        do {
            return try await land(entry)
        } catch {
            state.withLock { state in
                state.statistics.storageFailures += 1
                state.unsettled.append(entry)
            }
            logger.error("could not write a ledger row; retrying until it lands", metadata: [
                "request.id": "\(entry.requestID)", "hold.id": "\(entry.holdID)", "error": "\(error)",
            ])
            return false
        }
    }

    /// Writes a ledger row; on a shared store, applies it to the mirrored standings and, since
    /// the store answered, ends an outage (reservations ask it again at once). Returns false when
    /// a row for the hold was already there.
    @discardableResult
    func land(_ entry: LedgerEntry) async throws -> Bool {
        let written = try await store.settle(entry)
        if shared != nil { sharedStoreLanded(written ? [entry] : []) }
        return written
    }

    /// The shared store took a write: the outage (if any) is over, and the rows it wrote move
    /// from held to spent in the mirrored standings.
    private func sharedStoreLanded(_ written: [LedgerEntry]) {
        state.withLock { state in
            state.storeQuietUntil = 0
            state.outageAllowanceLeft = nil
            for entry in written {
                state.book.mirrorSettlement(of: Hold(id: entry.holdID, amount: entry.hold, shares: entry.shares), charged: entry.cost)
            }
        }
    }

    // MARK: Writing after the answer

    /// Writes rows handed over by `settle` (each already counted in flight) in one call to the
    /// shared store; if the store cannot take them now they are queued and retried one by one
    /// (``retryUnsettled()``), each still exactly once.
    func writeHandedOver(_ entries: [LedgerEntry]) async {
        guard let shared else {
            for entry in entries { await write(entry, counted: true) }
            return
        }
        defer { state.withLock { $0.writesInFlight -= entries.count } }
        guard !entries.isEmpty else { return }
        do {
            let written = try await shared.settle(batch: entries)
            sharedStoreLanded(entries.filter { written.contains($0.holdID) })
        } catch {
            state.withLock { state in
                state.statistics.storageFailures += Int64(entries.count)
                state.unsettled.append(contentsOf: entries)
            }
            logger.error("could not write ledger rows; retrying until they land", metadata: [
                "rows": "\(entries.count)", "hold.id": "\(entries[0].holdID)", "error": "\(error)",
            ])
        }
    }

    /// On a shared store, from now on `settle` hands ledger rows over instead of writing them
    /// before it returns: they come out of the returned stream, which ends after
    /// ``stopDeferring()`` once every row handed over has come out. Nil on a local store, whose
    /// group commit is cheaper than a task switch.
    func startDeferring() -> AsyncStream<LedgerEntry>? {
        guard shared != nil else { return nil }
        let (rows, continuation) = AsyncStream<LedgerEntry>.makeStream()
        state.withLock { $0.deferredRows = continuation }
        return rows
    }

    /// `settle` writes rows itself again; the stream of rows handed over ends.
    func stopDeferring() {
        let continuation = state.withLock { state in
            defer { state.deferredRows = nil }
            return state.deferredRows
        }
        continuation?.finish()
    }

    // MARK: Expiry and retries

    /// Charges in full every open hold whose lifetime has passed. Returns how many expired.
    /// On a shared store these are the holds of every replica (a dead replica's included);
    /// `keys` attributes their rows to teams and users. Two replicas expiring the same hold
    /// charge it once: the ledger takes one row per hold.
    @discardableResult
    public func expireOverdue(keys: [String: KeyRecord] = [:]) async -> Int {
        let now = clock.nowMillis()
        if let shared { return await expireOverdue(in: shared, now: now, keys: keys) }
        let overdue = state.withLock { state -> [(record: HoldRecord, key: KeyRecord)] in
            var result: [(record: HoldRecord, key: KeyRecord)] = []
            for open in state.open.values where open.record.expiresAt <= now {
                if case .settled = state.book.expire(id: open.record.hold.id) {
                    state.open[open.record.hold.id] = nil
                    state.statistics.expired += 1
                    result.append(open)
                }
            }
            return result
        }
        for (record, key) in overdue {
            let entry = expiredEntry(for: record, key: key)
            settledObserver.withLock { $0 }?.settled(entry)
            await write(entry)
            logger.warning("a hold outlived its lifetime and was charged in full", metadata: ["hold.id": "\(record.hold.id)"])
        }
        return overdue.count
    }

    /// Writes again the ledger rows the store could not take; returns how many are still queued.
    @discardableResult
    public func retryUnsettled() async -> Int {
        // Taken from the queue and counted in flight in one step: never out of sight.
        let queued = state.withLock { state -> [LedgerEntry] in
            defer {
                state.writesInFlight += state.unsettled.count
                state.unsettled = []
            }
            return state.unsettled
        }
        var landed = 0
        defer { if landed > 0 { logger.info("queued ledger rows landed", metadata: ["count": "\(landed)"]) } }
        for (index, entry) in queued.enumerated() {
            do {
                try await land(entry)
                landed += 1
                state.withLock { $0.writesInFlight -= 1 }
            } catch {
                // Still unavailable: keep this one and the rest, in order, for the next round.
                let rest = Array(queued[index...])
                return state.withLock { state -> Int in
                    state.writesInFlight -= rest.count
                    state.unsettled = rest + state.unsettled
                    return state.unsettled.count
                }
            }
        }
        return state.withLock { $0.unsettled.count }
    }

    /// Ledger rows not in the store yet: queued for a retry, or being written now.
    public var unsettledCount: Int { state.withLock { $0.unsettled.count + $0.writesInFlight } }
}
