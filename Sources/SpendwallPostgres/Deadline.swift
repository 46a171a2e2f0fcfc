import NIOCore
import NIOPosix
import Synchronization

/// Runs an operation with a deadline that holds even when the operation ignores cancellation.
///
/// A task group would wait for its cancelled child before returning, and a query on a
/// connection the server dropped may never notice it was cancelled: the caller would hang as long
/// as the query does. Here the operation runs in its own task; at the deadline the caller resumes
/// with the timeout error and the operation is cancelled and left to finish on its own.
///
/// The deadline is an event-loop timer, not a sleeping task: `Task.sleep` would arm a Dispatch
/// timer and wake a Dispatch thread for every query.
enum Deadline {
    static func run<T: Sendable>(
        within timeout: Duration, _ operation: @escaping @Sendable () async throws -> T, timedOut: @escaping @Sendable () -> any Error
    ) async throws -> T {
        let outcome = Outcome<T>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                outcome.start(continuation, operation: operation, timeout: timeout, timedOut: timedOut)
            }
        } onCancel: {
            outcome.finish(.failure(CancellationError()))
        }
    }

    /// Resumes the caller once: with the operation's result or the timeout, whichever is first.
    private final class Outcome<T: Sendable>: Sendable {
        private struct State {
            var continuation: CheckedContinuation<T, any Error>?
            var pending: Result<T, any Error>?
            var work: Task<Void, Never>?
            var timer: Scheduled<Void>?
        }

        private let state = Mutex(State())

        func start(
            _ continuation: CheckedContinuation<T, any Error>, operation: @escaping @Sendable () async throws -> T, timeout: Duration,
            timedOut: @escaping @Sendable () -> any Error
        ) {
            let work = Task { [self] in
                do { finish(.success(try await operation())) } catch { finish(.failure(error)) }
            }
            let timer = MultiThreadedEventLoopGroup.singleton.any().scheduleTask(in: TimeAmount(timeout)) { [self] in
                finish(.failure(timedOut()))
            }
            let early = state.withLock { state -> Result<T, any Error>? in
                state.work = work
                state.timer = timer
                if let pending = state.pending { return pending }
                state.continuation = continuation
                return nil
            }
            if let early {
                work.cancel()
                timer.cancel()
                continuation.resume(with: early)
            }
        }

        /// The first call wins; the loser's task is cancelled.
        func finish(_ result: Result<T, any Error>) {
            let (continuation, work, timer) = state.withLock { state -> (CheckedContinuation<T, any Error>?, Task<Void, Never>?, Scheduled<Void>?) in
                guard state.pending == nil else { return (nil, nil, nil) }
                state.pending = result
                defer { state.continuation = nil }
                return (state.continuation, state.work, state.timer)
            }
            work?.cancel()
            timer?.cancel()
            continuation?.resume(with: result)
        }
    }
}
