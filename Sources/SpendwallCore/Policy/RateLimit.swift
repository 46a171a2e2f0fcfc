/// A rate limit of a policy: the limit, and whether it is only observed (shadow mode: evaluated,
/// logged and counted, never enforced).
///
/// Written `600` or `{limit: 600, shadow: true}`.
public struct RateLimit: Sendable, Hashable, Codable {
    public var limit: Int64
    public var shadow: Bool

    public init(_ limit: Int64, shadow: Bool = false) {
        self.limit = limit
        self.shadow = shadow
    }

    enum CodingKeys: String, CodingKey {
        case limit, shadow
    }

    public init(from decoder: any Decoder) throws {
        if let plain = try? decoder.singleValueContainer().decode(Int64.self) {
            self.init(plain)
            return
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(try container.decode(Int64.self, forKey: .limit), shadow: try container.decodeIfPresent(Bool.self, forKey: .shadow) ?? false)
    }

    public func encode(to encoder: any Encoder) throws {
        if !shadow {
            var container = encoder.singleValueContainer()
            try container.encode(limit)
            return
        }
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(limit, forKey: .limit)
        try container.encode(shadow, forKey: .shadow)
    }
}

/// The generic cell rate algorithm for one limit: `rate` units per `period`, with a burst of up
/// to `rate` units at once. The whole state is one instant, the theoretical arrival time (TAT):
/// a request of cost `c` conforms when `max(TAT, now) + c·T − now ≤ period` (T = period / rate),
/// and moves TAT there.
///
/// Times are nanoseconds on a monotonic clock the caller reads.
public struct GCRA: Sendable, Hashable {
    public var rate: Int64
    public var periodNanos: Int64

    public init(rate: Int64, periodNanos: Int64 = 60_000_000_000) {
        self.rate = max(1, rate)
        self.periodNanos = periodNanos
    }

    /// Nanoseconds one unit takes to be earned back.
    public var emissionInterval: Int64 { max(1, periodNanos / rate) }

    /// What admitting `cost` units at `now` would do.
    public enum Outcome: Sendable, Hashable {
        /// Conforms; the new TAT.
        case conforms(tat: Int64)
        /// Does not conform; nanoseconds until it would.
        case exceeds(retryAfterNanos: Int64)
    }

    /// Decides a request of `cost` units against the state `tat` (nil: never used).
    public func check(tat: Int64?, cost: Int64, now: Int64) -> Outcome {
        let base = max(tat ?? now, now)
        let newTAT = base.saturatingAdding(cost.saturatingMultiplied(by: emissionInterval))
        let excess = newTAT - now - periodNanos
        return excess <= 0 ? .conforms(tat: newTAT) : .exceeds(retryAfterNanos: excess)
    }

    /// The TAT after giving back `cost` units admitted earlier (a refusal further on, or usage
    /// below what was reserved).
    public func refund(tat: Int64, cost: Int64) -> Int64 {
        tat - max(0, cost).saturatingMultiplied(by: emissionInterval)
    }
}
