import Foundation
import SpendwallCore
import SpendwallEngine
import SpendwallStorage

/// The dashboard's HTML, rendered on the server from the same figures the admin API answers.
/// Every amount is shown in dollars and carries its nano-dollars in `data-nanodollars`.
struct DashboardPage {
    var tenant: String?
    var chart: SpendChart
    var bucketName: String
    var budgets: [ControlPlane.BudgetStatus]
    var models: [SpendRow]
    var providers: [SpendRow]
    var deployments: [DeploymentStatus]
    var refusals: [RefusalCount]
    var blocks: [BlockRecord]
    var now: Int64

    func html() -> String {
        var page = """
            <!doctype html><html lang="en"><head><meta charset="utf-8"><title>Spendwall dashboard</title>
            <meta name="viewport" content="width=device-width, initial-scale=1"><style>\(Self.css)</style></head><body>
            <header><h1>Spendwall</h1><span id="scope">\(HTML.escape(tenant.map { "tenant \($0)" } ?? "all tenants"))</span>
            <span id="updated" data-at="\(now)">as of \(ISOTime.format(millis: now))</span></header><main>
            """
        page += "<section><h2>Spend over time per team</h2><nav>"
        for choice in SpendChart.bucketChoices {
            page += choice.name == bucketName ? "<b>\(choice.name)</b> " : "<a href=\"?bucket=\(choice.name)\">\(choice.name)</a> "
        }
        page += "</nav>\(chart.svg())<ul class=\"legend\">"
        for (offset, line) in chart.series.enumerated() {
            page += "<li><i style=\"background:\(SpendChart.colours[offset % SpendChart.colours.count])\"></i>\(HTML.escape(line.team))</li>"
        }
        page += "</ul></section>"
        page += "<section class=\"wide\"><h2>Budgets</h2><table id=\"budgets\"><tr><th>budget</th><th>scope</th><th>period</th><th>used</th><th>spent</th><th>limit</th><th>burn / h</th><th>projected</th><th>runs out</th></tr>"
        for status in budgets {
            let used = status.budget.limit > .zero ? Double((status.spent + status.held).nanodollars) / Double(status.budget.limit.nanodollars) : 1
            let forecast = status.forecast
            page += "<tr data-budget=\"\(HTML.escape(status.budget.id))\"><td>\(HTML.escape(status.budget.id))</td><td>\(HTML.escape(status.budget.scope.description))</td>"
            page += "<td>\(status.budget.period.rawValue)</td><td><meter min=\"0\" max=\"1\" low=\"0.8\" high=\"0.99\" optimum=\"0\" value=\"\(min(1, used))\"></meter> \(Int((used * 100).rounded()))%</td>"
            page += Self.money(status.spent, "spent") + Self.money(status.budget.limit, "limit")
            page += forecast.map { Self.money($0.burnRatePerHour, "burn") } ?? "<td>-</td>"
            page += forecast?.projectedAtWindowEnd.map { Self.money($0, "projected") } ?? "<td>-</td>"
            page += "<td>\(forecast?.exhaustsAt.map(ISOTime.format(millis:)) ?? "-")</td></tr>"
        }
        page += "</table></section>"
        page += Self.spendTable("Top models", id: "models", rows: models)
        page += Self.spendTable("Providers", id: "providers", rows: providers)
        page += "<section><h2>Deployments</h2><table id=\"deployments\"><tr><th>id</th><th>model</th><th>state</th><th>gpu cost</th><th>budget left</th><th>reason</th></tr>"
        for status in deployments {
            page += "<tr><td>\(HTML.escape(status.deployment.id))</td><td>\(HTML.escape(status.deployment.model))</td><td>\(status.deployment.state.rawValue)</td>"
            page += Self.money(status.gpuCost, "gpu") + Self.money(status.budgetLeft, "left") + "<td>\(HTML.escape(status.deployment.killReason ?? "-"))</td></tr>"
        }
        page += "</table></section>"
        page += "<section><h2>Refusals (24 h)</h2><table id=\"refusals\"><tr><th>reason</th><th>count</th></tr>"
        for refusal in refusals { page += "<tr><td>\(HTML.escape(refusal.reason))</td><td data-count=\"\(refusal.count)\">\(refusal.count)</td></tr>" }
        page += "</table></section>"
        page += "<section><h2>Kill events</h2><ul id=\"kills\">"
        for block in blocks { page += "<li>blocked \(HTML.escape(block.scope.description)): \(HTML.escape(block.reason)) — \(HTML.escape(block.actor))</li>" }
        for status in deployments where status.deployment.state == .killed {
            page += "<li>stopped \(HTML.escape(status.deployment.id)) (\(HTML.escape(status.deployment.model))): \(HTML.escape(status.deployment.killReason ?? "")) — \(HTML.escape(status.deployment.killedBy ?? ""))</li>"
        }
        page += "</ul></section></main><script>\(Self.script)</script></body></html>"
        return page
    }

    static func money(_ amount: Money, _ field: String) -> String {
        "<td class=\"money\" data-field=\"\(field)\" data-nanodollars=\"\(amount.nanodollars)\">\(HTML.escape(amount.description))</td>"
    }

    static func spendTable(_ title: String, id: String, rows: [SpendRow]) -> String {
        var html = "<section><h2>\(title)</h2><table id=\"\(id)\"><tr><th>name</th><th>requests</th><th>spend</th></tr>"
        for row in rows.prefix(10) {
            html += "<tr data-group=\"\(HTML.escape(row.group))\"><td>\(HTML.escape(row.group))</td><td>\(row.requests)</td>" + money(row.cost, "cost") + "</tr>"
        }
        return html + "</table></section>"
    }

    static let css = """
        body{font:14px system-ui,sans-serif;margin:0;color:#1d2329;background:#f6f7f9}header{display:flex;gap:1em;align-items:baseline;padding:.8em 1.2em;background:#1d2329;color:#fff}
        h1{font-size:1.2em;margin:0}main{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:1em;padding:1em}
        section{background:#fff;border-radius:6px;padding:.8em 1em;box-shadow:0 1px 2px #0002}section:first-child,section.wide{grid-column:1/-1}
        h2{font-size:1em;margin:.2em 0 .6em}table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.25em .4em;border-bottom:1px solid #eee}
        td.money{text-align:right;font-variant-numeric:tabular-nums}.legend{list-style:none;display:flex;gap:1em;padding:0}.legend i{display:inline-block;width:.8em;height:.8em;margin-right:.3em}
        .axis{font-size:11px;fill:#667}.axisline{stroke:#ccd}meter{width:6em}
        """

    /// Refreshes the page every 10 seconds while it is visible; nothing else.
    static let script = """
        (function(){var t=setInterval(function(){if(document.visibilityState==="visible"){location.reload();}},10000);
        window.addEventListener("pagehide",function(){clearInterval(t);});})();
        """
}
