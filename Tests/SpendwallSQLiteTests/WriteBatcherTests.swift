@testable import SpendwallSQLite
import Synchronization
import Testing

/// The batcher alone, with a hand-cranked scheduler instead of a database queue.
@Suite("WriteBatcher")
struct WriteBatcherTests {
    /// Holds scheduled drain steps until the test runs them.
    final class ManualScheduler: Sendable {
        let steps = Mutex<[@Sendable (NoContext) -> Void]>([])

        func schedule(_ step: @escaping @Sendable (NoContext) -> Void) { steps.withLock { $0.append(step) } }

        /// Runs the steps scheduled so far; returns how many.
        @discardableResult
        func runScheduled() -> Int {
            let ready = steps.withLock { steps in
                defer { steps = [] }
                return steps
            }
            for step in ready { step(NoContext()) }
            return ready.count
        }
    }

    @Test("everything queued while idle commits as one batch, results in order")
    func batchesQueuedOperations() async throws {
        let scheduler = ManualScheduler()
        let commits = CommitLog()
        let batcher = WriteBatcher<NoContext, Int, Int>(
            schedule: scheduler.schedule,
            commit: { _, operations in
                commits.batches.withLock { $0.append(operations) }
                return operations.map { $0 < 0 ? .failure(TestFailure()) : .success($0 * 10) }
            }
        )
        let count = 50
        try await withThrowingTaskGroup(of: (Int, Int?).self) { group in
            for value in [-1] + Array(1..<count) {
                group.addTask { (value, try? await batcher.submit(value)) }
            }
            while batcher.pendingCount < count { await Task.yield() }
            #expect(scheduler.runScheduled() == 1)
            var results: [Int: Int?] = [:]
            for try await (value, result) in group { results[value] = result }
            #expect(results[-1] == .some(nil))
            for value in 1..<count { #expect(results[value] == value * 10) }
        }
        #expect(commits.batches.withLock { $0.count } == 1)
        #expect(scheduler.runScheduled() == 0)  // idle again: no drain left scheduled
        #expect(batcher.statistics == WriteBatchStatistics(batches: 1, operations: count, largestBatch: count))
    }

    @Test("one drain takes everything queued; a later submission schedules a new one")
    func reschedulesForLateArrivals() async throws {
        let scheduler = ManualScheduler()
        let batcher = WriteBatcher<NoContext, Int, Int>(schedule: scheduler.schedule, commit: { _, ops in ops.map { .success($0) } })
        async let first = batcher.submit(1)
        while batcher.pendingCount < 1 { await Task.yield() }
        async let second = batcher.submit(2)
        // Both are queued before any drain runs: one drain takes both.
        while batcher.pendingCount < 2 { await Task.yield() }
        #expect(scheduler.runScheduled() == 1)
        #expect(try await first == 1)
        #expect(try await second == 2)

        async let third = batcher.submit(3)
        while batcher.pendingCount < 1 { await Task.yield() }
        #expect(scheduler.runScheduled() == 1)
        #expect(try await third == 3)
        #expect(batcher.statistics.batches == 2)
    }

    struct TestFailure: Error {}

    /// The drain context: none is needed here.
    struct NoContext {}

    /// The batches a commit function saw.
    final class CommitLog: Sendable {
        let batches = Mutex<[[Int]]>([])
    }
}
