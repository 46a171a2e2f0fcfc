import SpendwallCore
import Testing

@Suite struct CircuitBreakerTests {
    @Test("opens after the threshold of consecutive failures, lets one trial through after the cooldown, closes on its success, reopens on its failure")
    func lifecycle() {
        var breaker = CircuitBreaker(threshold: 3, cooldownNanos: 100)
        breaker.recordFailure(now: 0)
        breaker.recordFailure(now: 1)
        breaker.recordSuccess()  // not consecutive any more
        breaker.recordFailure(now: 2)
        breaker.recordFailure(now: 3)
        do { let allowed = breaker.allow(now: 4); #expect(allowed) }
        breaker.recordFailure(now: 5)
        #expect(breaker.state == .open(until: 105))
        do { let allowed = breaker.allow(now: 104); #expect(!allowed) }
        do { let allowed = breaker.allow(now: 105); #expect(allowed, "the trial") }
        do { let allowed = breaker.allow(now: 106); #expect(!allowed, "one trial at a time") }
        breaker.recordFailure(now: 110)
        #expect(breaker.state == .open(until: 210))
        do { let allowed = breaker.allow(now: 300); #expect(allowed) }
        breaker.recordSuccess()
        let allowed = breaker.allow(now: 301)
        #expect(breaker.state == .closed(failures: 0) && allowed)
    }
}
