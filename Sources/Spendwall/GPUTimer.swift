import SpendwallCore
import Synchronization

/// GPU time paid for while work runs: from a monotonic clock, each interval is held on the
/// budget before it starts and charged when it ends (the sentinel's ``GPUTimeAccrual``). When
/// the next interval does not fit and the strategy refuses, the work is cancelled at once and
/// ``run(_:)`` throws ``BudgetExceededError``: the budget is enforced while the work runs, not
/// only when it ends.
public struct GPUTimer: Sendable {
    let meter: Meter
    /// What the GPUs cost together.
    public let rate: GPURate
    /// Where the rate came from: `rate:` or the GPU price table row.
    public let rateSource: String
    let interval: Duration

    /// Runs `work` while paying for its GPU time; returns its result and what the time cost.
    public func run<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) async throws -> (value: T, cost: Money) {
        let books = TimerBooks(
            accrual: GPUTimeAccrual(rate: rate, intervalMillis: max(1, interval.wholeMilliseconds), graceMillis: 0, startedAt: 0),
            meter: meter
        )
        try await books.holdNext()
        do {
            let value = try await withThrowingTaskGroup(of: T?.self) { group in
                group.addTask { try await work() }
                group.addTask {
                    // Settle the interval that ended and hold the next, until the work ends or the
                    // budget cannot pay (the refusal ends the group and cancels the work).
                    while true {
                        try await Task.sleep(for: interval)
                        try await books.settle()
                        try await books.holdNext()
                    }
                }
                defer { group.cancelAll() }
                while let finished = try await group.next() {
                    if let value = finished { return value }
                }
                throw CancellationError()
            }
            return (value, try await books.finish())
        } catch {
            _ = try? await books.finish()
            throw error
        }
    }
}

/// The timer's accrual and open hold: decided under the lock, charged outside it.
final class TimerBooks: Sendable {
    struct State: Sendable {
        var accrual: GPUTimeAccrual
        var open: LedgerHold?
    }

    let state: Mutex<State>
    let meter: Meter
    let start = ContinuousClock.now
    static let price = ModelPrice(name: "gpu-time", provider: .openai, mode: .chat, rates: TokenRates(input: 0, output: 0))

    init(accrual: GPUTimeAccrual, meter: Meter) {
        self.state = Mutex(State(accrual: accrual))
        self.meter = meter
    }

    var now: Int64 { (ContinuousClock.now - start).wholeMilliseconds }

    func holdNext() async throws {
        guard let request = state.withLock({ $0.accrual.nextHold(at: now) }) else { return }
        let hold = try await meter.reserve(request.amount, model: Self.price, endpoint: "gpu_time")
        state.withLock {
            $0.accrual.holdPlaced(request)
            $0.open = hold
        }
    }

    func settle() async throws {
        let at = now
        let (charge, hold) = state.withLock { state -> (GPUTimeAccrual.Charge?, LedgerHold?) in
            let charge = state.accrual.settle(at: at)
            defer { state.open = nil }
            return (charge, state.open)
        }
        guard let charge, let hold else { return }
        try await meter.finish(hold, usage: .zero, charge: charge.amount)
    }

    /// Charges the time up to now and returns everything charged.
    func finish() async throws -> Money {
        try await settle()
        return state.withLock { $0.accrual.charged }
    }
}

extension Duration {
    var wholeMilliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }
}
