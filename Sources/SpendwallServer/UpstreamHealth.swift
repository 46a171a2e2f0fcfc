import SpendwallCore
import SpendwallEngine
import Synchronization

/// The circuit breakers of the upstreams, by name (see ``CircuitBreaker``).
final class UpstreamHealth: Sendable {
    private let breakers = Mutex<[String: CircuitBreaker]>([:])
    private let settings: CircuitBreakerSettings
    private let now: @Sendable () -> Int64

    init(settings: CircuitBreakerSettings, now: @escaping @Sendable () -> Int64 = RateLimiter.monotonicNanos) {
        self.settings = settings
        self.now = now
    }

    /// Whether a request may go to `upstream` now (taking the trial when its cooldown is over).
    func allow(_ upstream: String) -> Bool {
        let now = now()
        return breakers.withLock { breakers in
            var breaker = breakers[upstream] ?? newBreaker()
            defer { breakers[upstream] = breaker }
            return breaker.allow(now: now)
        }
    }

    /// Gives back a trial `allow` granted when the request was not sent after all.
    func release(_ upstream: String) {
        let now = now()
        breakers.withLock { $0[upstream]?.cancelTrial(now: now) }
    }

    func record(_ upstream: String, healthy: Bool) {
        let now = now()
        breakers.withLock { breakers in
            var breaker = breakers[upstream] ?? newBreaker()
            if healthy { breaker.recordSuccess() } else { breaker.recordFailure(now: now) }
            breakers[upstream] = breaker
        }
    }

    /// Whole seconds until the first of `upstreams` lets a trial through (at least 1).
    func secondsUntilRetry(_ upstreams: [String]) -> Int64 {
        let now = now()
        let soonest = breakers.withLock { breakers in upstreams.compactMap { breakers[$0]?.reopensAt }.min() }
        guard let soonest else { return 1 }
        return max(1, (soonest - now + 999_999_999) / 1_000_000_000)
    }

    private func newBreaker() -> CircuitBreaker {
        CircuitBreaker(threshold: settings.failures, cooldownNanos: Int64(settings.cooldownSeconds) * 1_000_000_000)
    }
}
