import Foundation
@testable import SpendwallSQLite
import Synchronization
import Testing

/// The batcher alone, with a recording commit instead of a database.
///
/// Serialized: some tests hold a commit (a cooperative thread) until other writes are queued,
/// which needs a free thread to run those writers.
@Suite("WriteBatcher", .serialized, .timeLimit(.minutes(1)))
struct WriteBatcherTests {
    @Test("concurrent writes all commit, each with its own result; a failing write fails alone")
    func resultsPerOperation() async throws {
        let log = CommitLog()
        let batcher = log.makeBatcher()
        let count = 50
        let results = await withTaskGroup(of: (Int, Int?).self) { group in
            for value in [-1] + Array(1..<count) {
                group.addTask { (value, try? await batcher.submit(value)) }
            }
            var results: [Int: Int?] = [:]
            for await (value, result) in group { results[value] = result }
            return results
        }
        #expect(results[-1] == .some(nil))
        for value in 1..<count { #expect(results[value] == value * 10) }
        #expect(log.batches.withLock { $0.flatMap { $0 } }.sorted() == ([-1] + Array(1..<count)).sorted())
        let statistics = batcher.statistics
        #expect(statistics.operations == count)
        #expect(statistics.batches == log.batches.withLock { $0.count })
        #expect(batcher.pendingCount == 0)
    }

    @Test("writes queued while a batch commits go into the drainer's next batch")
    func groupsWritesQueuedDuringACommit() async throws {
        let log = CommitLog()
        let batcher = log.makeBatcher()
        let gate = Gate()
        log.beforeCommit = { batch in
            // The first commit waits until the other writes are queued behind it.
            if batch == [1] { gate.wait(until: { batcher.pendingCount == 3 }) }
        }
        async let first = batcher.submit(1)
        while log.batches.withLock({ $0.isEmpty }) && !gate.isWaiting && !gate.timedOut { await Task.yield() }
        async let second = batcher.submit(2)
        async let third = batcher.submit(3)
        async let fourth = batcher.submit(4)
        let values = try await [first, second, third, fourth]
        #expect(values == [10, 20, 30, 40])
        #expect(gate.timedOut == false)
        let batches = log.batches.withLock { $0 }
        #expect(batches.count == 2)
        #expect(batches.first == [1])
        #expect(batches.last.map { Set($0) } == [2, 3, 4])
    }

    @Test("when the write context is unavailable, the whole batch fails and the batcher goes on")
    func executeFailureFailsTheBatch() async throws {
        let log = CommitLog()
        let unavailable = Mutex(true)
        let batcher = WriteBatcher<NoContext, Int, Int>(
            execute: { body in
                if unavailable.withLock({ $0 }) { throw Unavailable() }
                body(NoContext())
            },
            schedule: { _ in Issue.record("nothing should be handed over") },
            commit: { _, operations in log.record(operations) }
        )
        await #expect(throws: Unavailable.self) { try await batcher.submit(1) }
        unavailable.withLock { $0 = false }
        #expect(try await batcher.submit(2) == 20)
        #expect(log.batches.withLock { $0 } == [[2]])
    }

    @Test("a drainer hands the queue to the writer's own queue after its inline batches")
    func handsOverLongDrains() async throws {
        let log = CommitLog()
        let scheduled = Mutex<[@Sendable (NoContext) -> Void]>([])
        let batcher = WriteBatcher<NoContext, Int, Int>(
            execute: { body in body(NoContext()) },
            schedule: { step in scheduled.withLock { $0.append(step) } },
            commit: { _, operations in log.record(operations) }
        )
        let inline = WriteBatcher<NoContext, Int, Int>.maxInlineBatches
        let gate = Gate()
        // Every inline commit waits until one more write is queued, so the queue never empties.
        log.beforeCommit = { batch in
            let queued = batch.first ?? 0
            if queued <= inline { gate.wait(until: { batcher.pendingCount >= 1 }) }
        }
        try await withThrowingTaskGroup(of: Int.self) { group in
            group.addTask { try await batcher.submit(1) }
            for value in 2...(inline + 1) {
                while log.batches.withLock({ $0.count }) < value - 1 && !gate.isWaiting && !gate.timedOut { await Task.yield() }
                group.addTask { try await batcher.submit(value) }
                while log.batches.withLock({ $0.count }) < value - 1 && !gate.timedOut { await Task.yield() }
            }
            // The drainer has committed `inline` batches and handed the last write over.
            while scheduled.withLock({ $0.isEmpty }) && !gate.timedOut { await Task.yield() }
            let steps = scheduled.withLock { steps in
                defer { steps = [] }
                return steps
            }
            #expect(steps.count == 1)
            for step in steps { step(NoContext()) }
            var results: [Int] = []
            for try await result in group { results.append(result) }
            #expect(results.sorted() == (1...(inline + 1)).map { $0 * 10 })
        }
        #expect(gate.timedOut == false)
        #expect(log.batches.withLock { $0.count } == inline + 1)
        #expect(scheduled.withLock { $0.isEmpty })
    }

    // MARK: Helpers

    struct Unavailable: Error {}

    /// The drain context: none is needed here.
    struct NoContext {}

    /// The batches a commit saw, and a hook run before each.
    final class CommitLog: Sendable {
        let batches = Mutex<[[Int]]>([])
        private let hook = Mutex<(@Sendable ([Int]) -> Void)?>(nil)

        var beforeCommit: (@Sendable ([Int]) -> Void)? {
            get { hook.withLock { $0 } }
            set { hook.withLock { $0 = newValue } }
        }

        /// Commits `operations`: negative values fail, the rest return ten times their value.
        func record(_ operations: [Int]) -> [Result<Int, any Error>] {
            beforeCommit?(operations)
            batches.withLock { $0.append(operations) }
            return operations.map { $0 < 0 ? .failure(Unavailable()) : .success($0 * 10) }
        }

        func makeBatcher() -> WriteBatcher<NoContext, Int, Int> {
            WriteBatcher(
                execute: { body in body(NoContext()) },
                schedule: { step in step(NoContext()) },
                commit: { [self] _, operations in record(operations) }
            )
        }
    }

    /// Blocks a (synchronous) commit until a condition holds, for at most five seconds.
    final class Gate: Sendable {
        private let state = Mutex((waiting: false, timedOut: false))

        var isWaiting: Bool { state.withLock { $0.waiting } }
        var timedOut: Bool { state.withLock { $0.timedOut } }

        func wait(until condition: () -> Bool) {
            state.withLock { $0.waiting = true }
            let deadline = Date().addingTimeInterval(5)
            while !condition() {
                if Date() > deadline {
                    state.withLock { $0.timedOut = true }
                    break
                }
                usleep(200)
            }
            state.withLock { $0.waiting = false }
        }
    }
}
