import SpendwallCore
import SpendwallStorage
import Synchronization

/// Spend in 10-second tumbling windows, per tenant and team, for the last hour: what `watch`'s
/// sparkline and the dashboard's 10-second chart read (`GET /admin/v1/spend/recent`). Fed with
/// every ledger row this process settles; windows are aligned to multiples of 10 s.
final class SpendAggregator: Sendable {
    static let windowMillis: Int64 = 10_000
    static let windows = 360

    struct Key: Hashable {
        var tenant: String
        var team: String
    }

    /// Window start → spend per tenant and team.
    let state = Mutex<[Int64: [Key: Int64]]>([:])

    func add(_ entry: LedgerEntry) {
        guard entry.cost > .zero else { return }
        let start = entry.finishedAt - entry.finishedAt % Self.windowMillis
        state.withLock { windows in
            windows[start, default: [:]][Key(tenant: entry.tenantID, team: entry.teamID ?? ""), default: 0] += entry.cost.nanodollars
            if windows.count > Self.windows + 10, let oldest = windows.keys.min() { windows[oldest] = nil }
        }
    }

    /// The last `count` windows up to `now`, oldest first, with the spend of each team (of one
    /// tenant, or all).
    func recent(tenant: String?, count: Int, now: Int64) -> [(start: Int64, teams: [String: Int64])] {
        let last = now - now % Self.windowMillis
        let snapshot = state.withLock { $0 }
        return (0..<max(1, min(count, Self.windows))).reversed().map { back in
            let start = last - Int64(back) * Self.windowMillis
            var teams: [String: Int64] = [:]
            for (key, value) in snapshot[start] ?? [:] where tenant == nil || key.tenant == tenant {
                teams[key.team, default: 0] += value
            }
            return (start, teams)
        }
    }
}
