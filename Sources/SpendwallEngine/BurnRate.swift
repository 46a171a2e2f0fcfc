import Foundation
import SpendwallCore

/// A budget's burn rate, exponentially weighted: recent charges count most, older ones fade
/// with the half-life, so a burst shows at once and an idle hour lets the rate fall.
///
/// Each charge `c` at time `t` adds `λ·c` to a rate that decays as `e^(−λ·Δt)`, with
/// `λ = ln 2 / halfLife`: the rate at `now` is `Σ λ·cᵢ·e^(−λ·(now − tᵢ))`, in nano-dollars per
/// millisecond. A steady spend of `s` per millisecond converges to `s`. Rates are estimates, so
/// they are `Double`; the money they project is rounded to whole nano-dollars.
public struct BurnRate: Sendable, Hashable, Codable {
    /// How long a charge takes to count half as much.
    public let halfLifeMillis: Int64
    /// Nano-dollars per millisecond as of `updatedAt`.
    private var rate: Double = 0
    private var updatedAt: Int64 = 0
    /// When the first charge was seen; the rate is not trusted for a short while after.
    public private(set) var since: Int64?

    public init(halfLifeMillis: Int64 = 15 * 60_000) {
        self.halfLifeMillis = max(1, halfLifeMillis)
    }

    var lambda: Double { M_LN2 / Double(halfLifeMillis) }

    /// Counts a charge made at `time` (milliseconds since the epoch).
    public mutating func record(_ amount: Money, at time: Int64) {
        guard amount > .zero else { return }
        if since == nil { since = time }
        rate = decayed(to: time) + lambda * Double(amount.nanodollars)
        updatedAt = max(updatedAt, time)
    }

    /// Nano-dollars per millisecond at `now`.
    public func nanodollarsPerMilli(at now: Int64) -> Double { decayed(to: now) }

    /// The rate at `now` per hour, rounded to the nano-dollar.
    public func perHour(at now: Int64) -> Money {
        Money(nanodollars: Int64((decayed(to: now) * 3_600_000).rounded()))
    }

    private func decayed(to time: Int64) -> Double {
        guard time > updatedAt else { return rate }
        return rate * exp(-lambda * Double(time - updatedAt))
    }
}

