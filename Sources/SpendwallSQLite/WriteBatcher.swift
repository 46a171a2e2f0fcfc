import SpendwallStorage
import Synchronization

/// Group commit: many concurrent writers share one transaction.
///
/// Callers ``submit(_:)`` an operation and suspend. Operations queue up under a `Mutex`; the
/// caller that finds no drain in progress *schedules* one (it does not run it itself). A drain
/// takes everything queued at that moment, hands the whole batch to `commit` — which runs it in a
/// single write transaction — and resumes every caller with its own result. If more operations
/// arrived while the batch was committing, the drain schedules itself once more; otherwise it
/// marks the batcher idle, so the next submitter starts the next drain.
///
/// Why scheduling instead of "the first caller drains": the store's `schedule` puts the drain on
/// SQLite's own serial writer queue (GRDB `asyncWriteWithoutTransaction`), so
/// - no caller's task is hijacked to drain for others (its latency stays one transaction),
/// - cancelling a caller's task can never abort a batch that holds other callers' writes,
/// - no unstructured `Task {}` exists: the drain lives exactly as long as there is work,
/// - re-scheduling (rather than looping) between batches lets control-plane writes, which use the
///   same serial queue, interleave fairly under sustained load.
///
/// With one caller at a time the cost is one enqueue, one hop to the writer queue and one small
/// transaction: there are no timers, sleeps or batching delays. Batches grow by themselves under
/// load, because operations accumulate while the previous transaction commits.
///
/// Locking follows lock-decide-unlock-act: the `Mutex` guards only the queue and the "drain
/// scheduled" flag; `commit`, `schedule` and continuation resumption all run outside it.
package final class WriteBatcher<Context, Operation: Sendable, Output: Sendable>: Sendable {
    /// A drain step, run on whatever `schedule` provides with its context (a database connection).
    package typealias Drain = @Sendable (Context) -> Void

    private struct Pending {
        var operation: Operation
        var continuation: CheckedContinuation<Output, any Error>
    }

    private struct State {
        var queue: [Pending] = []
        var isDrainScheduled = false
        var statistics = WriteBatchStatistics()
    }

    private let state = Mutex(State())
    private let schedule: @Sendable (@escaping Drain) -> Void
    private let commit: @Sendable (Context, [Operation]) -> [Result<Output, any Error>]

    /// Creates a batcher.
    ///
    /// - Parameters:
    ///   - schedule: Runs a drain step later, serially with other drain steps (e.g. on the
    ///     database's writer queue). Must eventually call the closure exactly once.
    ///   - commit: Runs one batch, in one transaction, returning one result per operation in order.
    package init(
        schedule: @escaping @Sendable (@escaping Drain) -> Void,
        commit: @escaping @Sendable (Context, [Operation]) -> [Result<Output, any Error>]
    ) {
        self.schedule = schedule
        self.commit = commit
    }

    /// Queues `operation` and returns its result once the batch holding it has committed.
    package func submit(_ operation: Operation) async throws -> Output {
        try await withCheckedThrowingContinuation { continuation in
            let mustSchedule = state.withLock { state -> Bool in
                state.queue.append(Pending(operation: operation, continuation: continuation))
                if state.isDrainScheduled { return false }
                state.isDrainScheduled = true
                return true
            }
            if mustSchedule { schedule { [self] context in drain(context) } }
        }
    }

    /// Operations queued and not yet taken by a drain.
    package var pendingCount: Int { state.withLock { $0.queue.count } }

    /// What has been committed so far.
    package var statistics: WriteBatchStatistics { state.withLock { $0.statistics } }

    private func drain(_ context: Context) {
        let batch = state.withLock { state -> [Pending] in
            let batch = state.queue
            state.queue = []
            state.queue.reserveCapacity(batch.count)
            state.statistics.batches += 1
            state.statistics.operations += batch.count
            state.statistics.largestBatch = max(state.statistics.largestBatch, batch.count)
            return batch
        }
        if !batch.isEmpty {
            let results = commit(context, batch.map(\.operation))
            for (index, pending) in batch.enumerated() {
                if index < results.count {
                    pending.continuation.resume(with: results[index])
                } else {
                    pending.continuation.resume(throwing: StoreError(.io, "the write batch returned no result for this operation"))
                }
            }
        }
        let hasMore = state.withLock { state -> Bool in
            if state.queue.isEmpty {
                state.isDrainScheduled = false
                return false
            }
            return true
        }
        if hasMore { schedule { [self] context in drain(context) } }
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
