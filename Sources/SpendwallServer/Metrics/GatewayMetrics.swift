import SpendwallCore
import SpendwallEngine
import SpendwallStorage
import Synchronization

/// What the gateway counts for Prometheus (`GET /metrics` on the admin listener): requests by
/// team, model and ledger status; refusals by reason; spend by team, model and provider; the
/// upstream's latency and the gateway's own added latency; and, read at each scrape, open holds
/// and every budget's remaining room. Labelled by team and model, never by key.
final class GatewayMetrics: Sendable {
    struct SpendKey: Hashable {
        var team: String
        var model: String
        var provider: String
    }

    struct RequestKey: Hashable {
        var team: String
        var model: String
        var status: String
    }

    struct State {
        var requests: [RequestKey: Int64] = [:]
        var refusals: [String: Int64] = [:]
        var spend: [SpendKey: Int64] = [:]
        var gpuTime: [String: Int64] = [:]
        var upstreamLatency = Histogram()
        var addedLatency = Histogram()
    }

    let state = Mutex(State())

    /// A settled ledger row: one request (or a GPU-time interval) and its charge.
    func settled(_ entry: LedgerEntry) {
        let team = entry.teamID ?? "none"
        state.withLock { state in
            if entry.kind == "gpu_time" {
                state.gpuTime[team, default: 0] += entry.cost.nanodollars
                return
            }
            state.requests[RequestKey(team: team, model: entry.model, status: entry.status.rawValue), default: 0] += 1
            state.spend[SpendKey(team: team, model: entry.model, provider: entry.provider.rawValue), default: 0] += entry.cost.nanodollars
        }
    }

    /// A request refused with this error type (`budget_exceeded`, `rate_limited`, …).
    func refused(_ reason: String) {
        state.withLock { $0.refusals[reason, default: 0] += 1 }
    }

    /// How long the upstream took (to its answer's head, and its body when buffered), and what
    /// the gateway added around it.
    func timed(upstream: Duration, added: Duration) {
        state.withLock { state in
            state.upstreamLatency.observe(upstream)
            state.addedLatency.observe(added)
        }
    }

    /// The Prometheus text exposition (format 0.0.4).
    func render(enforcer: Enforcer, budgets: [BudgetRecord]) -> String {
        let snapshot = state.withLock { $0 }
        var lines: [String] = []
        func family(_ name: String, _ type: String, _ help: String) {
            lines.append("# HELP \(name) \(help)")
            lines.append("# TYPE \(name) \(type)")
        }
        family("spendwall_requests_total", "counter", "Requests settled, by team, model and ledger status.")
        for (key, value) in snapshot.requests.sorted(by: { "\($0.key)" < "\($1.key)" }) {
            lines.append("spendwall_requests_total{team=\(Self.quote(key.team)),model=\(Self.quote(key.model)),status=\(Self.quote(key.status))} \(value)")
        }
        family("spendwall_refusals_total", "counter", "Requests refused before anything was sent upstream, by reason.")
        for (reason, value) in snapshot.refusals.sorted(by: { $0.key < $1.key }) {
            lines.append("spendwall_refusals_total{reason=\(Self.quote(reason))} \(value)")
        }
        family("spendwall_spend_usd_total", "counter", "Dollars charged for requests, by team, model and provider.")
        for (key, value) in snapshot.spend.sorted(by: { "\($0.key)" < "\($1.key)" }) {
            lines.append("spendwall_spend_usd_total{team=\(Self.quote(key.team)),model=\(Self.quote(key.model)),provider=\(Self.quote(key.provider))} \(Money(nanodollars: value).decimalDollars)")
        }
        family("spendwall_gpu_time_usd_total", "counter", "Dollars charged for GPU time of self-hosted deployments, by owning team.")
        for (team, value) in snapshot.gpuTime.sorted(by: { $0.key < $1.key }) {
            lines.append("spendwall_gpu_time_usd_total{team=\(Self.quote(team))} \(Money(nanodollars: value).decimalDollars)")
        }
        family("spendwall_open_holds", "gauge", "Holds placed and not yet settled by this process.")
        lines.append("spendwall_open_holds \(enforcer.openHoldCount)")
        family("spendwall_budget_remaining_usd", "gauge", "Each budget's room: limit minus spent minus held, in its current window.")
        for budget in budgets.sorted(by: { $0.id < $1.id }) {
            guard let account = enforcer.account(budgetID: budget.id) else { continue }
            lines.append("spendwall_budget_remaining_usd{budget=\(Self.quote(budget.id)),scope=\(Self.quote(budget.scope.description))} \(max(.zero, account.available).decimalDollars)")
        }
        family("spendwall_upstream_latency_seconds", "histogram", "Time the upstream took to answer (its head; its body too when buffered).")
        lines += snapshot.upstreamLatency.lines("spendwall_upstream_latency_seconds")
        family("spendwall_gateway_added_latency_seconds", "histogram", "Time the gateway itself added to a forwarded request.")
        lines += snapshot.addedLatency.lines("spendwall_gateway_added_latency_seconds")
        return lines.joined(separator: "\n") + "\n"
    }

    /// A label value in quotes, with `\`, `"` and newlines escaped.
    static func quote(_ value: String) -> String {
        var text = "\""
        for character in value {
            switch character {
            case "\\": text += "\\\\"
            case "\"": text += "\\\""
            case "\n": text += "\\n"
            default: text.append(character)
            }
        }
        return text + "\""
    }
}
