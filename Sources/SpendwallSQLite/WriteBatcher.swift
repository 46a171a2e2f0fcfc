import SpendwallStorage
import Synchronization

/// Group commit: many concurrent writers share one transaction, committed on the caller's own
/// thread.
///
/// A submitter that finds no drainer becomes it: it yields once (`gather`), so that every task
/// ready to run at that moment (on an event loop: the rest of this tick) can queue its write behind it, then
/// commits everything queued in one transaction, synchronously, through `execute` (the database's
/// writer connection), and resumes every caller with its own result. Submitters that find a
/// drainer only queue and suspend. When writes from other threads arrive during a commit, the
/// drainer commits them too, for at most ``maxInlineBatches`` batches; after that it hands what
/// is left to `schedule` (the writer's own queue), so no caller drains for others indefinitely.
///
/// Why the caller's thread: a hop to a writer thread and back costs two context switches and
/// two wake-ups per write, far more than the write itself (SQLite in WAL mode without fsync).
/// With one caller at a time the cost is one yield and one small transaction; batches
/// grow by themselves under load.
///
/// Locking follows lock-decide-unlock-act: the `Mutex` guards only the queue and the "drainer"
/// flag; `execute`, `commit` and continuation resumption all run outside it. Cancelling a
/// submitter never aborts a batch: the drain is synchronous and has no suspension point.
package final class WriteBatcher<Context, Operation: Sendable, Output: Sendable>: Sendable {
    /// A drain step, run with the write context (a database connection).
    package typealias Drain = @Sendable (Context) -> Void

    /// Batches a drainer commits inline before handing the rest to `schedule`.
    package static var maxInlineBatches: Int { 4 }

    private struct Pending {
        var operation: Operation
        var continuation: CheckedContinuation<Output, any Error>
    }

    private struct State {
        var queue: [Pending] = []
        var hasDrainer = false
        var statistics = WriteBatchStatistics()
    }

    private let state = Mutex(State())
    private let execute: @Sendable (_ body: (Context) -> Void) throws -> Void
    private let schedule: @Sendable (@escaping Drain) -> Void
    private let commit: @Sendable (Context, [Operation]) -> [Result<Output, any Error>]
    private let gather: @Sendable () async -> Void

    /// Creates a batcher.
    ///
    /// - Parameters:
    ///   - execute: Runs `body` synchronously with the write context, serially with every other
    ///     writer (e.g. GRDB `writeWithoutTransaction`); throws when the context is unavailable.
    ///   - schedule: Runs a drain step later, serially with other writers (e.g. on the database's
    ///     writer queue); used only to hand over a long drain. Must call the closure exactly once.
    ///   - commit: Runs one batch, in one transaction, returning one result per operation in order.
    ///   - gather: How a submitter that leads a batch lets every other ready task run first (so
    ///     that it can queue behind it): `Task.yield()` unless the executor needs another way.
    package init(
        execute: @escaping @Sendable (_ body: (Context) -> Void) throws -> Void,
        schedule: @escaping @Sendable (@escaping Drain) -> Void,
        commit: @escaping @Sendable (Context, [Operation]) -> [Result<Output, any Error>],
        gather: @escaping @Sendable () async -> Void = { await Task.yield() }
    ) {
        self.execute = execute
        self.schedule = schedule
        self.commit = commit
        self.gather = gather
    }

    /// Queues `operation` and returns its result once the batch holding it has committed.
    package func submit(_ operation: Operation) async throws -> Output {
        let leads = state.withLock { state -> Bool in
            if state.hasDrainer { return false }
            state.hasDrainer = true
            return true
        }
        if leads { await gather() }
        return try await withCheckedThrowingContinuation { continuation in
            let drains = state.withLock { state -> Bool in
                state.queue.append(Pending(operation: operation, continuation: continuation))
                if leads { return true }
                if state.hasDrainer { return false }
                // The drainer finished between our check and now: this caller drains.
                state.hasDrainer = true
                return true
            }
            if drains { drainInline() }
        }
    }

    /// Operations queued and not yet taken by a drain.
    package var pendingCount: Int { state.withLock { $0.queue.count } }

    /// What has been committed so far.
    package var statistics: WriteBatchStatistics { state.withLock { $0.statistics } }

    // MARK: Draining

    /// Commits batches on the calling thread until the queue is empty, or hands the rest to
    /// `schedule` after ``maxInlineBatches``.
    private func drainInline() {
        for _ in 0..<Self.maxInlineBatches {
            let batch = takeBatch()
            if !batch.isEmpty {
                var results: [Result<Output, any Error>]?
                do {
                    try execute { context in results = commit(context, batch.map(\.operation)) }
                } catch {
                    results = Array(repeating: .failure(error), count: batch.count)
                }
                resume(batch, with: results ?? [])
            }
            if finishIfIdle() { return }
        }
        schedule { [self] context in drainScheduled(context) }
    }

    /// One batch on the writer's queue, then again until the queue is empty.
    private func drainScheduled(_ context: Context) {
        let batch = takeBatch()
        if !batch.isEmpty { resume(batch, with: commit(context, batch.map(\.operation))) }
        if !finishIfIdle() { schedule { [self] context in drainScheduled(context) } }
    }

    private func takeBatch() -> [Pending] {
        state.withLock { state -> [Pending] in
            let batch = state.queue
            state.queue = []
            state.queue.reserveCapacity(batch.count)
            if !batch.isEmpty {
                state.statistics.batches += 1
                state.statistics.operations += batch.count
                state.statistics.largestBatch = max(state.statistics.largestBatch, batch.count)
            }
            return batch
        }
    }

    /// Gives up the drainer role if nothing is queued; returns whether it did.
    private func finishIfIdle() -> Bool {
        state.withLock { state -> Bool in
            guard state.queue.isEmpty else { return false }
            state.hasDrainer = false
            return true
        }
    }

    private func resume(_ batch: [Pending], with results: [Result<Output, any Error>]) {
        for (index, pending) in batch.enumerated() {
            if index < results.count {
                pending.continuation.resume(with: results[index])
            } else {
                pending.continuation.resume(throwing: StoreError(.io, "the write batch returned no result for this operation"))
            }
        }
    }
}

/// Group-commit counters of a ``WriteBatcher``, for tests and metrics.
package struct WriteBatchStatistics: Sendable, Hashable {
    /// Batches committed (successfully or not).
    package var batches = 0
    /// Operations in those batches.
    package var operations = 0
    /// The largest batch so far.
    package var largestBatch = 0
}
