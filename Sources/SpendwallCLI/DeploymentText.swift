import Foundation
import SpendwallCore

/// Words and figures of deployments, from the admin API's JSON (or a status encoded the same way).
enum DeploymentText {
    static func rate(_ deployment: [String: Any]) -> String {
        guard let rate = (deployment["rate"] as? [String: Any])?["nanodollars_per_hour"] as? NSNumber else { return "-" }
        return GPURate(nanodollarsPerHour: rate.int64Value).description
    }

    /// `1h 02m 03s`, `45s`, or `-`.
    static func duration(_ millis: Any?) -> String {
        guard let number = millis as? NSNumber else { return "-" }
        let seconds = number.int64Value / 1000
        if seconds >= 3600 { return String(format: "%dh %02dm %02ds", seconds / 3600, seconds % 3600 / 60, seconds % 60) }
        if seconds >= 60 { return String(format: "%dm %02ds", seconds / 60, seconds % 60) }
        return "\(seconds)s"
    }

    /// The lines of `spendwall status ID`.
    static func detail(_ status: [String: Any]) -> [String] {
        let deployment = status["deployment"] as? [String: Any] ?? [:]
        let state = Output.string(deployment["state"])
        var lines = [
            "deployment:    \(Output.string(deployment["id"])) (\(Output.string(deployment["model"])), engine \(Output.string(deployment["engine"])))",
            "state:         \(state)" + ((deployment["kill_reason"] as? String).map { " — \($0), by \(Output.string(deployment["killed_by"]))" } ?? ""),
            "owner:         tenant \(Output.string(deployment["tenant_id"]))" + ((deployment["team_id"] as? String).map { ", team \($0)" } ?? ""),
            "gpu:           \(Output.string(deployment["gpu_count"])) × \(Output.string(deployment["gpu"])) at \(rate(deployment)) (\(Output.string(deployment["rate_source"])))",
            "uptime:        \(duration(status["uptime_ms"]))",
            "gpu cost:      \(Output.dollars(status["gpu_cost_nanodollars"])) of \(Output.dollars(deployment["budget_limit"])) budget",
            "budget left:   \(Output.dollars(status["budget_left_nanodollars"]))" + (status["time_left_ms"] is NSNumber ? ", \(duration(status["time_left_ms"])) at this rate" : ""),
            "tokens served: \(Output.string(status["tokens_served"])) in \(Output.string(deployment["requests"])) requests (\(Output.string(deployment["input_tokens"])) in, \(Output.string(deployment["output_tokens"])) out)",
            "cost per 1M tokens: " + (status["cost_per_million_tokens_nanodollars"] is NSNumber
                ? "\(Output.dollars(status["cost_per_million_tokens_nanodollars"])) (allocated: GPU cost so far, idle time included)"
                : "n/a (no tokens served yet)"),
            "callers pay:   \(tokenPrice(status))",
            "command:       \(((deployment["command"] as? [String]) ?? []).joined(separator: " "))",
            "port / pid:    \(Output.string(deployment["port"])) / \(Output.string(deployment["pid"]))",
            "engine log:    \(Output.string(deployment["log_path"]))",
        ]
        if let exit = deployment["exit_description"] as? String { lines.append("engine exit:   \(exit)") }
        if let ended = deployment["ended_at"] { lines.append("ended:         \(Output.date(ended))") }
        return lines
    }

    static func tokenPrice(_ status: [String: Any]) -> String {
        let rates = status["token_rates"] as? [String: Any] ?? [:]
        let basis = Output.string(status["token_price_basis"])
        let input = (rates["input"] as? NSNumber).map { PerMillionPrice.text(picodollarsPerToken: $0.int64Value) } ?? "-"
        let output = (rates["output"] as? NSNumber).map { PerMillionPrice.text(picodollarsPerToken: $0.int64Value) } ?? "-"
        return "$\(input) in / $\(output) out per 1M tokens (\(basis))"
    }
}
