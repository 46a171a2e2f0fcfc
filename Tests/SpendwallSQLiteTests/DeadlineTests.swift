import Foundation
@testable import SpendwallPostgres
import Testing

@Suite("Deadline")
struct DeadlineTests {
    struct TimedOut: Error {}

    @Test("an operation that ignores cancellation still times out at the deadline")
    func deadlineHoldsWithoutCooperation() async throws {
        let started = ContinuousClock.now
        await #expect(throws: TimedOut.self) {
            _ = try await Deadline.run(within: .milliseconds(100), {
                // Waits 10 s whatever happens, like a query on a connection the server dropped.
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    DispatchQueue.global().asyncAfter(deadline: .now() + 10) { continuation.resume() }
                }
                return 1
            }, timedOut: { TimedOut() })
        }
        // Long before the operation ends (a loaded CI machine may be slow to wake the caller).
        #expect(ContinuousClock.now - started < .seconds(5))
    }

    @Test("an operation that answers in time gives its value or its error")
    func answersInTime() async throws {
        #expect(try await Deadline.run(within: .seconds(5), { 42 }, timedOut: { TimedOut() }) == 42)
        struct Failed: Error {}
        await #expect(throws: Failed.self) {
            _ = try await Deadline.run(within: .seconds(5), { () async throws -> Int in throw Failed() }, timedOut: { TimedOut() })
        }
    }
}
