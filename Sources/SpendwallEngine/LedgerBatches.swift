import SpendwallStorage

/// The ledger rows waiting to be written after their answers, and the writers taking them. A row
/// that arrives while every writer is busy waits and goes with the next batch: under load one
/// statement carries many rows (and one update of each budget window they charge), while a lone
/// row is written at once.
struct LedgerBatches: Sendable {
    /// How many batches may be in flight at once.
    let writers: Int
    /// The most rows one batch takes.
    let batchSize: Int
    private(set) var waiting: [LedgerEntry] = []
    private(set) var busyWriters = 0

    init(writers: Int, batchSize: Int) {
        precondition(writers > 0 && batchSize > 0)
        self.writers = writers
        self.batchSize = batchSize
    }

    /// Queues a row. True when a writer is free: the caller starts one, which takes batches with
    /// ``next()`` until it gets nil.
    mutating func add(_ entry: LedgerEntry) -> Bool {
        waiting.append(entry)
        guard busyWriters < writers else { return false }
        busyWriters += 1
        return true
    }

    /// The next batch for a writer, oldest rows first; nil when nothing waits, and the writer
    /// stops (in the same step, so a row added after it is given a new writer).
    mutating func next() -> [LedgerEntry]? {
        guard !waiting.isEmpty else {
            busyWriters -= 1
            return nil
        }
        let batch = Array(waiting.prefix(batchSize))
        waiting.removeFirst(batch.count)
        return batch
    }
}
