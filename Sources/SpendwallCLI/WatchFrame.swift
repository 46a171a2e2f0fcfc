import Foundation
import SpendwallCore

/// One frame of `spendwall watch`, from what the admin API answered.
struct WatchFrame {
    var tenant: String?
    var budgets: [[String: Any]]
    var models: [[String: Any]]
    var deployments: [[String: Any]]
    var refusals: [[String: Any]]
    var blocks: [[String: Any]]
    /// Spend in each 10-second window, oldest first (nano-dollars).
    var spendSteps: [Int64]
    var intervalSeconds: Double
    var now: Date

    func lines(columns: Int, palette: Palette) -> [String] {
        var lines: [String] = []
        let title = "Spendwall watch — " + (tenant.map { "tenant \($0)" } ?? "all tenants") + " — " + now.formatted(.iso8601)
        lines.append(palette.bold(title) + palette.dim("   Ctrl-C to quit"))
        lines.append("")
        lines.append(palette.bold("BUDGETS"))
        if budgets.isEmpty { lines.append(palette.dim("  none")) }
        let barWidth = max(10, min(30, columns - 100))
        for status in budgets.prefix(12) {
            let budget = status["budget"] as? [String: Any] ?? [:]
            let scope = budget["scope"] as? [String: Any] ?? [:]
            let limit = Self.int(budget["limit"])
            let used = Self.int(status["spent"]) + Self.int(status["held"])
            let share = limit > 0 ? Double(used) / Double(limit) : 1
            let forecast = status["forecast"] as? [String: Any] ?? [:]
            func paint(_ text: String) -> String {
                share >= 1 ? palette.red(text) : share >= 0.8 ? palette.yellow(text) : palette.green(text)
            }
            var line = "  \(Self.pad("\(Output.string(scope["kind"])):\(Output.string(scope["id"]))", 22)) \(Self.pad(Output.string(budget["period"]), 7)) "
            line += paint(Glyphs.bar(share, width: barWidth)) + " \(Self.pad(String(Int((share * 100).rounded())) + "%", 5))"
            line += " \(Output.dollars(status["spent"])) of \(Output.dollars(budget["limit"]))"
            line += "  burn \(Output.dollars(forecast["burn_rate_per_hour"]))/h"
            if forecast["projected_at_window_end"] is NSNumber { line += "  proj \(Output.dollars(forecast["projected_at_window_end"]))" }
            if let runsOut = forecast["exhausts_at"] as? NSNumber { line += "  " + palette.yellow("runs out \(Self.time(runsOut))") }
            lines.append(line)
        }
        lines.append("")
        let rate = spendSteps.last ?? 0
        lines.append(palette.bold("SPEND RATE") + palette.dim(" (per \(Self.seconds(intervalSeconds)) window, last \(spendSteps.count))") + "  "
            + Glyphs.sparkline(spendSteps) + "  now \(Money(nanodollars: rate))/\(Self.seconds(intervalSeconds))")
        lines.append("")
        lines.append(palette.bold("TOP MODELS") + palette.dim(" (spend)"))
        if models.isEmpty { lines.append(palette.dim("  none")) }
        for row in models.prefix(5) {
            lines.append("  \(Self.pad(Output.string(row["group"]), 34)) \(Self.pad(Output.dollars(row["cost"]), 14)) \(Output.string(row["requests"])) requests")
        }
        lines.append("")
        lines.append(palette.bold("DEPLOYMENTS"))
        if deployments.isEmpty { lines.append(palette.dim("  none")) }
        for status in deployments.suffix(5) {
            let deployment = status["deployment"] as? [String: Any] ?? [:]
            let state = Output.string(deployment["state"])
            func paintState(_ text: String) -> String {
                state == "running" ? palette.green(text) : state == "starting" ? palette.yellow(text) : palette.red(text)
            }
            var line = "  \(Self.pad(Output.string(deployment["id"]), 17)) \(Self.pad(Output.string(deployment["model"]), 24)) " + paintState(Self.pad(state, 9))
            line += " gpu \(Output.dollars(status["gpu_cost_nanodollars"])) left \(Output.dollars(status["budget_left_nanodollars"])) (\(DeploymentText.duration(status["time_left_ms"])))"
            if let reason = deployment["kill_reason"] as? String { line += "  " + palette.red(reason) }
            lines.append(line)
        }
        lines.append("")
        lines.append(palette.bold("REFUSALS") + palette.dim(" (last 15 min)"))
        if refusals.isEmpty { lines.append(palette.dim("  none")) }
        for row in refusals.prefix(6) {
            lines.append("  \(Self.pad(Output.string(row["reason"]), 24)) \(Output.string(row["count"]))")
        }
        lines.append("")
        lines.append(palette.bold("KILLS"))
        let kills = blocks.map { "  blocked \(Output.string(($0["scope"] as? [String: Any])?["kind"])) \(Output.string(($0["scope"] as? [String: Any])?["id"])): \(Output.string($0["reason"]))" }
            + deployments.compactMap { status -> String? in
                let deployment = status["deployment"] as? [String: Any] ?? [:]
                guard Output.string(deployment["state"]) == "killed" else { return nil }
                return "  killed \(Output.string(deployment["id"])) (\(Output.string(deployment["model"]))): \(Output.string(deployment["kill_reason"])) by \(Output.string(deployment["killed_by"]))"
            }
        lines += kills.isEmpty ? [palette.dim("  none")] : kills.prefix(6).map { palette.red($0) }
        return lines
    }

    static func int(_ value: Any?) -> Int64 { (value as? NSNumber)?.int64Value ?? 0 }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    static func time(_ millis: NSNumber) -> String {
        Date(timeIntervalSince1970: millis.doubleValue / 1000).formatted(.iso8601)
    }

    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value)) s" : String(format: "%.1f s", value)
    }
}
