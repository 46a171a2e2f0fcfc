import SpendwallCore
import Synchronization

/// The rate limits of the policies in force, per scope: requests and tokens per minute (GCRA)
/// and concurrent streams. Each scope's limits count all of that scope's traffic (a team's limit,
/// every key of the team). Kept in memory, per gateway process.
///
/// A request is checked against every limit of every scope in its chain at once, all or none:
/// when an enforced limit refuses, nothing is consumed. A limit in shadow mode never refuses: it
/// is evaluated, and when it would have refused, counted and reported instead of consumed.
public final class RateLimiter: Sendable {
    public enum Kind: String, Sendable, Hashable, Codable {
        case requests = "requests_per_minute"
        case tokens = "tokens_per_minute"
        case streams = "concurrent_streams"
    }

    /// One limit a request is checked against.
    public struct Check: Sendable, Hashable {
        public var tenantID: String
        public var scope: Scope
        public var kind: Kind
        public var limit: RateLimit
        public var cost: Int64

        /// `requests_per_minute@team:research`.
        public var rule: String { "\(kind.rawValue)@\(scope)" }
    }

    /// What an admitted request consumed, to correct or give back later.
    public struct Ticket: Sendable {
        public fileprivate(set) var consumed: [Check] = []
        /// Shadow limits this request would have been refused by.
        public fileprivate(set) var shadowed: [String] = []

        public static let empty = Ticket()
    }

    /// An enforced limit that refused a request.
    public struct Refusal: Error, Sendable, Hashable {
        public var check: Check
        /// Whole seconds until the request would conform (at least 1).
        public var retryAfterSeconds: Int64

        public var message: String {
            switch check.kind {
            case .requests: "Rate limit: \(check.scope) may send \(check.limit.limit) requests per minute. Retry after \(retryAfterSeconds) s."
            case .tokens: "Rate limit: \(check.scope) may use \(check.limit.limit) tokens per minute, and this request may use up to \(check.cost). Retry after \(retryAfterSeconds) s."
            case .streams: "Rate limit: \(check.scope) may have \(check.limit.limit) streams open at once."
            }
        }
    }

    private struct Key: Hashable {
        var tenantID: String
        var scope: Scope
        var kind: Kind
    }

    private struct State {
        /// GCRA theoretical arrival times, and open streams.
        var counters: [Key: Int64] = [:]
    }

    private let state = Mutex(State())
    private let now: @Sendable () -> Int64
    public let shadowCounts = ShadowCounts()

    /// - Parameter now: monotonic nanoseconds.
    public init(now: @escaping @Sendable () -> Int64 = RateLimiter.monotonicNanos) {
        self.now = now
    }

    private static let origin = ContinuousClock.now

    /// Nanoseconds on this process's monotonic clock.
    @Sendable public static func monotonicNanos() -> Int64 {
        let elapsed = (ContinuousClock.now - origin).components
        return elapsed.seconds * 1_000_000_000 + elapsed.attoseconds / 1_000_000_000
    }

    /// The checks for a request: every rate limit of every policy in `policy`, per scope.
    public static func checks(for policy: EffectivePolicy, tenantID: String, tokens: Int64, streaming: Bool) -> [Check] {
        var checks: [Check] = []
        for level in policy.levels {
            let rules = level.policy
            if let limit = rules.requestsPerMinute { checks.append(Check(tenantID: tenantID, scope: level.scope, kind: .requests, limit: limit, cost: 1)) }
            if let limit = rules.tokensPerMinute { checks.append(Check(tenantID: tenantID, scope: level.scope, kind: .tokens, limit: limit, cost: max(1, tokens))) }
            if streaming, let limit = rules.concurrentStreams { checks.append(Check(tenantID: tenantID, scope: level.scope, kind: .streams, limit: limit, cost: 1)) }
        }
        return checks
    }

    /// Admits a request against `checks`, all or none.
    public func admit(_ checks: [Check]) -> Result<Ticket, Refusal> {
        guard !checks.isEmpty else { return .success(.empty) }
        let now = self.now()
        let result = state.withLock { state -> Result<Ticket, Refusal> in
            var ticket = Ticket()
            var updates: [(Key, Int64)] = []
            var refusal: Refusal?
            for check in checks {
                let key = Key(tenantID: check.tenantID, scope: check.scope, kind: check.kind)
                let verdict = Self.evaluate(check, current: state.counters[key], now: now)
                switch verdict {
                case .conforms(let next):
                    updates.append((key, next))
                    ticket.consumed.append(check)
                case .exceeds(let seconds):
                    if check.limit.shadow {
                        ticket.shadowed.append(check.rule)
                    } else if refusal.map({ seconds > $0.retryAfterSeconds }) ?? true {
                        refusal = Refusal(check: check, retryAfterSeconds: seconds)
                    }
                }
            }
            if let refusal { return .failure(refusal) }
            for (key, value) in updates { state.counters[key] = value }
            return .success(ticket)
        }
        if case .success(let ticket) = result {
            for rule in ticket.shadowed { shadowCounts.record(rule) }
        }
        return result
    }

    /// Gives back everything a ticket consumed (the request was refused further on).
    public func refund(_ ticket: Ticket) {
        release(ticket) { check in check.cost }
    }

    /// Corrects the token reservation to `tokens` used, and closes the stream, once the request
    /// is settled.
    public func finish(_ ticket: Ticket, tokens: Int64) {
        release(ticket) { check in
            switch check.kind {
            case .requests: 0
            case .tokens: max(0, check.cost - tokens)
            case .streams: 1
            }
        }
    }

    private func release(_ ticket: Ticket, amount: (Check) -> Int64) {
        guard !ticket.consumed.isEmpty else { return }
        state.withLock { state in
            for check in ticket.consumed {
                let back = amount(check)
                guard back > 0 else { continue }
                let key = Key(tenantID: check.tenantID, scope: check.scope, kind: check.kind)
                guard let current = state.counters[key] else { continue }
                switch check.kind {
                case .streams: state.counters[key] = max(0, current - back)
                case .requests, .tokens: state.counters[key] = GCRA(rate: check.limit.limit).refund(tat: current, cost: back)
                }
            }
        }
    }

    private enum Verdict {
        case conforms(Int64)
        case exceeds(retryAfterSeconds: Int64)
    }

    private static func evaluate(_ check: Check, current: Int64?, now: Int64) -> Verdict {
        switch check.kind {
        case .streams:
            let open = current ?? 0
            return open + check.cost <= check.limit.limit ? .conforms(open + check.cost) : .exceeds(retryAfterSeconds: 1)
        case .requests, .tokens:
            switch GCRA(rate: check.limit.limit).check(tat: current, cost: check.cost, now: now) {
            case .conforms(let tat): return .conforms(tat)
            case .exceeds(let nanos): return .exceeds(retryAfterSeconds: max(1, (nanos + 999_999_999) / 1_000_000_000))
            }
        }
    }
}
