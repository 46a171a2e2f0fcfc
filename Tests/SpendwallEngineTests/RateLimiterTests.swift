import SpendwallCore
import SpendwallEngine
import Synchronization
import Testing

@Suite struct RateLimiterTests {
    final class Clock: Sendable {
        let nanos = Mutex<Int64>(0)
        func advance(seconds: Int64) { nanos.withLock { $0 += seconds * 1_000_000_000 } }
        var read: @Sendable () -> Int64 { { [self] in nanos.withLock { $0 } } }
    }

    static func policy(_ levels: (Scope, Policy)...) -> EffectivePolicy {
        EffectivePolicy(levels: levels.map { EffectivePolicy.Level(scope: $0.0, policy: $0.1) })
    }

    @Test("each scope's limit counts its own traffic; a refusal by any enforced limit consumes nothing")
    func allOrNone() throws {
        let clock = Clock()
        let limiter = RateLimiter(now: clock.read)
        let policy = Self.policy((.tenant("t"), Policy(requestsPerMinute: RateLimit(3))), (.key("k"), Policy(requestsPerMinute: RateLimit(2))))
        let checks = RateLimiter.checks(for: policy, tenantID: "t", tokens: 10, streaming: false)
        #expect(checks.map(\.rule) == ["requests_per_minute@tenant:t", "requests_per_minute@key:k"])
        _ = try limiter.admit(checks).get()
        _ = try limiter.admit(checks).get()
        guard case .failure(let refusal) = limiter.admit(checks) else { Issue.record("the key's limit of 2 must refuse"); return }
        #expect(refusal.check.scope == .key("k") && refusal.retryAfterSeconds == 30)
        // The refused request took nothing from the tenant: another key of the tenant still has one.
        let other = RateLimiter.checks(for: Self.policy((.tenant("t"), Policy(requestsPerMinute: RateLimit(3)))), tenantID: "t", tokens: 1, streaming: false)
        _ = try limiter.admit(other).get()
        #expect((try? limiter.admit(other).get()) == nil)
        clock.advance(seconds: 20)
        _ = try limiter.admit(other).get()
    }

    @Test("tokens per minute are reserved at admission and corrected to the usage at settlement; streams close at settlement")
    func tokensAndStreams() throws {
        let limiter = RateLimiter(now: Clock().read)
        let policy = Self.policy((.team("x"), Policy(tokensPerMinute: RateLimit(1000), concurrentStreams: RateLimit(1))))
        let first = try limiter.admit(RateLimiter.checks(for: policy, tenantID: "t", tokens: 900, streaming: true)).get()
        // 900 of 1000 tokens reserved, one stream open: both refuse the next.
        guard case .failure(let refusal) = limiter.admit(RateLimiter.checks(for: policy, tenantID: "t", tokens: 200, streaming: false)) else {
            Issue.record("the token reservation must refuse"); return
        }
        #expect(refusal.check.kind == .tokens)
        #expect((try? limiter.admit(RateLimiter.checks(for: Self.policy((.team("x"), Policy(concurrentStreams: RateLimit(1)))), tenantID: "t", tokens: 1, streaming: true)).get()) == nil)
        // It used 100 tokens: 800 come back, and its stream closes.
        limiter.finish(first, tokens: 100)
        _ = try limiter.admit(RateLimiter.checks(for: policy, tenantID: "t", tokens: 850, streaming: true)).get()
    }

    @Test("a limit in shadow mode never refuses and never consumes past its limit; it counts what it would have refused")
    func shadowMode() throws {
        let limiter = RateLimiter(now: Clock().read)
        let policy = Self.policy((.user("u"), Policy(requestsPerMinute: RateLimit(2, shadow: true))))
        let checks = RateLimiter.checks(for: policy, tenantID: "t", tokens: 1, streaming: false)
        var shadowed = 0
        for _ in 0..<5 { shadowed += try limiter.admit(checks).get().shadowed.count }
        #expect(shadowed == 3)
        #expect(limiter.shadowCounts.snapshot == ["requests_per_minute@user:u": 3])
    }
}
