/// The simulator's record of calls: a bounded list plus per-model totals. A value type, kept
/// behind a `Mutex` by ``SimulatedProvider``.
struct CallLog: Sendable {
    /// Records kept, oldest first; `records[0].index == firstIndex`.
    private(set) var records: [SimulatedCall] = []
    /// Absolute index of `records[0]` (records before it were dropped).
    private(set) var firstIndex = 0
    /// Totals by model, counting dropped records too.
    private(set) var totals: [String: SimulatedUsageTotals] = [:]
    let limit: Int

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Appends `call`, numbering it, and returns its index.
    @discardableResult
    mutating func append(_ call: SimulatedCall) -> Int {
        var call = call
        call.index = firstIndex + records.count
        records.append(call)
        totals[call.model, default: SimulatedUsageTotals()].add(call)
        if records.count > limit {
            // Drop in batches so appends stay amortised O(1).
            let drop = max(records.count - limit, limit / 4)
            records.removeFirst(min(drop, records.count))
            firstIndex += drop
        }
        return call.index
    }

    /// Marks the record with `index` as not completed (its final write failed).
    mutating func markBroken(index: Int) {
        let position = index - firstIndex
        guard records.indices.contains(position), records[position].completed else { return }
        records[position].completed = false
        totals[records[position].model]?.completedCalls -= 1
    }

    /// Records with an index of at least `index`.
    func records(since index: Int) -> [SimulatedCall] {
        let position = max(0, index - firstIndex)
        guard position < records.count else { return [] }
        return Array(records[position...])
    }

    /// Forgets everything.
    mutating func reset() {
        records.removeAll()
        firstIndex = 0
        totals.removeAll()
    }
}
