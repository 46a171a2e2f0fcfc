/// One upstream's circuit breaker, as a value-type state machine. Closed, it counts consecutive
/// failures; at `threshold` it opens and keeps the upstream out of routing for `cooldown`; then
/// one trial request goes through (half-open): a success closes it, a failure opens it again.
///
/// Times are nanoseconds on a monotonic clock the caller reads.
public struct CircuitBreaker: Sendable, Hashable {
    public enum State: Sendable, Hashable {
        case closed(failures: Int)
        case open(until: Int64)
        /// The cooldown passed and one trial is in flight.
        case halfOpen
    }

    public let threshold: Int
    public let cooldownNanos: Int64
    public private(set) var state: State = .closed(failures: 0)

    public init(threshold: Int, cooldownNanos: Int64) {
        self.threshold = max(1, threshold)
        self.cooldownNanos = cooldownNanos
    }

    /// Whether a request may go to the upstream now. Past the cooldown, the first caller gets the
    /// trial (and the circuit turns half-open); others wait for its outcome.
    public mutating func allow(now: Int64) -> Bool {
        switch state {
        case .closed: return true
        case .halfOpen: return false
        case .open(let until):
            guard now >= until else { return false }
            state = .halfOpen
            return true
        }
    }

    /// When the circuit lets a trial through, if it is open.
    public var reopensAt: Int64? {
        if case .open(let until) = state { return until }
        return nil
    }

    /// Gives the trial back unused (the request was refused before it was sent).
    public mutating func cancelTrial(now: Int64) {
        if case .halfOpen = state { state = .open(until: now) }
    }

    public mutating func recordSuccess() {
        state = .closed(failures: 0)
    }

    public mutating func recordFailure(now: Int64) {
        switch state {
        case .closed(let failures):
            state = failures + 1 >= threshold ? .open(until: now + cooldownNanos) : .closed(failures: failures + 1)
        case .halfOpen, .open:
            state = .open(until: now + cooldownNanos)
        }
    }
}
