import ArgumentParser
import Foundation
import NIOHTTP1
import SpendwallCore

/// `spendwall report`: chargeback by team, user, key, feature, end user, model or provider.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Chargeback report: spend, requests, tokens by kind, GPU time and cache savings, grouped.",
        discussion: """
            Rows come from the ledger (`/admin/v1/report`: spend, refusals, outcomes and budgets in one answer). API spend and GPU time of self-hosted deployments \
            are separate columns; cache savings is what the answers served from the response cache would have \
            cost. A month (`--period 2026-11`) or `--from`/`--to` dates are UTC; `--to` is exclusive. \
            feature and end-user group by the x-spendwall-feature / x-spendwall-end-user tags (a request without \
            one is in no feature row).

            Examples:
              spendwall report --by team --period 2026-11
              spendwall report --by feature --tenant acme --from 2026-11-01 --to 2026-11-15 --format csv > features.csv
            """
    )
    enum Grouping: String, ExpressibleByArgument, CaseIterable {
        case team, user, key, feature, endUser = "end-user", model, provider, tenant
    }
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, csv, json
    }

    @Option(help: "team, user, key, feature, end-user, model, provider or tenant.") var by: Grouping = .team
    @Option(help: "Only this tenant.") var tenant: String?
    @Option(help: "A month, YYYY-MM (UTC).") var period: String?
    @Option(help: "Start date, YYYY-MM-DD (UTC).") var from: String?
    @Option(help: "End date, YYYY-MM-DD (UTC, exclusive).") var to: String?
    @Option(help: "table, csv or json.") var format: Format = .table
    @Option(name: .customLong("admin-url"), help: "Admin API URL (default: the running gateway's, else http://127.0.0.1:8788).") var adminURL: String?

    func run() async throws {
        try await CLIError.reporting {
            let (start, end) = try window()
            var query = ["group_by=\(by == .feature || by == .endUser ? "tag" : by.rawValue)"]
            if let tenant { query.append("tenant=\(tenant)") }
            if let start { query.append("from=\(start)") }
            if let end { query.append("to=\(end)") }
            var options = AdminOptions()
            options.adminURL = adminURL
            let client = try AdminClient.make(options: options)
            let parameters = query.joined(separator: "&")
            let answer = try await client.send(.GET, "/report?" + parameters) as? [String: Any] ?? [:]
            func list(_ name: String) -> [[String: Any]] { answer[name] as? [[String: Any]] ?? [] }
            var rows = ReportRow.rows(list("spend"), refusals: list("refusals"), outcomes: list("outcomes"), grouping: by)
            // Where each group's budget is heading (tenant, team, user and key groupings).
            if [.tenant, .team, .user, .key].contains(by) {
                for index in rows.indices { rows[index].forecast = ReportRow.forecast(for: rows[index].group, kind: by.rawValue, budgets: list("budgets")) }
            }
            switch format {
            case .json:
                Output.printJSON([
                    "by": by.rawValue, "from": start.map { $0 as Any } ?? NSNull(), "to": end.map { $0 as Any } ?? NSNull(),
                    "rows": rows.map(\.json), "total": by == .feature || by == .endUser ? NSNull() : ReportRow.total(rows).json as Any,
                ])
            case .csv:
                print(ReportRow.header.joined(separator: ","))
                for row in rows { print(row.csv.joined(separator: ",")) }
            case .table:
                var lines = rows.map(\.cells)
                if by != .feature && by != .endUser, rows.count > 1 { lines.append(ReportRow.total(rows).cells) }
                Output.printTable([by.rawValue.uppercased()] + ReportRow.header.dropFirst().map { $0.uppercased().replacingOccurrences(of: "_", with: " ") }, lines)
            }
        }
    }

    /// The window in milliseconds since the epoch, from `--period` or `--from`/`--to`.
    func window() throws -> (Int64?, Int64?) {
        if let period {
            guard from == nil, to == nil else { throw CLIError("give --period or --from/--to, not both", exitCode: .usage) }
            let parts = period.split(separator: "-")
            guard parts.count == 2, let year = Int(parts[0]), let month = Int(parts[1]), (1...12).contains(month), year > 1970 else {
                throw CLIError("--period must be a month, YYYY-MM", exitCode: .usage)
            }
            let next = month == 12 ? (year + 1, 1) : (year, month + 1)
            return (try Self.millis(String(format: "%04d-%02d-01", year, month)), try Self.millis(String(format: "%04d-%02d-01", next.0, next.1)))
        }
        return (try from.map(Self.millis), try to.map(Self.millis))
    }

    static func millis(_ date: String) throws -> Int64 {
        guard let parsed = try? Date(date + "T00:00:00Z", strategy: .iso8601) else {
            throw CLIError("'\(date)' is not a date, YYYY-MM-DD", exitCode: .usage)
        }
        return Int64(parsed.timeIntervalSince1970 * 1000)
    }
}

/// One line of a report.
struct ReportRow {
    var group: String
    var requests: Int64
    var tokens: [Int64]
    var apiCost: Int64
    var gpuTimeCost: Int64
    var cacheSavings: Int64
    /// Refusals by reason (`budget_exceeded`: 3, …).
    var refusals: [String: Int64] = [:]
    var accepted: Int64 = 0
    var rejected: Int64 = 0
    var reworked: Int64 = 0
    var acceptedCost: Int64 = 0
    var reworkCost: Int64 = 0

    /// The group's budget that runs out soonest (else the first): its id, projected spend at
    /// the window's end and when it runs out.
    var forecast: (budget: String, projected: Int64?, exhaustsAt: Int64?)?

    /// API cost per accepted outcome; nil without one.
    var costPerAccepted: Int64? { accepted > 0 ? (apiCost + accepted - 1) / accepted : nil }

    static let tokenKinds = ["input", "cached_input", "cache_write", "extended_cache_write", "output", "reasoning", "audio_input", "audio_output"]
    static let header = ["group", "requests"] + tokenKinds.map { "\($0)_tokens" } + [
        "api_cost_usd", "gpu_time_usd", "total_usd", "cache_savings_usd", "refusals", "accepted", "cost_per_accepted_usd", "reworked",
        "rework_cost_usd", "budget", "projected_usd", "runs_out",
    ]

    /// The admin API's rows, for the grouping (feature and end-user keep only their tags, the
    /// prefix removed).
    static func rows(_ fetched: [[String: Any]], refusals: [[String: Any]], outcomes: [[String: Any]], grouping: ReportCommand.Grouping) -> [ReportRow] {
        let prefix: String? = switch grouping {
        case .feature: "feature:"
        case .endUser: "end-user:"
        default: nil
        }
        func name(_ group: Any?) -> String? {
            var text = Output.string(group)
            if let prefix {
                guard text.hasPrefix(prefix) else { return nil }
                text = String(text.dropFirst(prefix.count))
            }
            return text.isEmpty ? "(none)" : text
        }
        func int(_ value: Any?) -> Int64 { (value as? NSNumber)?.int64Value ?? 0 }
        var byGroup: [String: ReportRow] = [:]
        var order: [String] = []
        func row(_ group: String) -> ReportRow {
            byGroup[group] ?? ReportRow(group: group, requests: 0, tokens: Array(repeating: 0, count: tokenKinds.count), apiCost: 0, gpuTimeCost: 0, cacheSavings: 0)
        }
        for spend in fetched.compactMap({ Self.row($0, prefix: prefix) }) {
            byGroup[spend.group] = spend
            order.append(spend.group)
        }
        for refusal in refusals {
            guard let group = name(refusal["group"]) else { continue }
            var line = row(group)
            line.refusals[Output.string(refusal["reason"]), default: 0] += int(refusal["count"])
            if byGroup[group] == nil { order.append(group) }
            byGroup[group] = line
        }
        for outcome in outcomes {
            guard let group = name(outcome["group"]) else { continue }
            var line = row(group)
            line.accepted = int(outcome["accepted"])
            line.rejected = int(outcome["rejected"])
            line.reworked = int(outcome["reworked"])
            line.acceptedCost = int(outcome["accepted_cost"])
            line.reworkCost = int(outcome["rework_cost"])
            if byGroup[group] == nil { order.append(group) }
            byGroup[group] = line
        }
        return order.compactMap { byGroup[$0] }
    }

    /// One `/spend` row; nil for a tag outside the grouping's prefix.
    static func row(_ row: [String: Any], prefix: String?) -> ReportRow? {
        var group = Output.string(row["group"])
        if let prefix {
            guard group.hasPrefix(prefix) else { return nil }
            group = String(group.dropFirst(prefix.count))
        }
        let usage = row["usage"] as? [String: Any] ?? [:]
        func int(_ value: Any?) -> Int64 { (value as? NSNumber)?.int64Value ?? 0 }
        let total = int(row["cost"])
        let gpu = int(row["gpu_time_cost"])
        return ReportRow(
            group: group.isEmpty ? "(none)" : group, requests: int(row["requests"]), tokens: tokenKinds.map { int(usage[$0]) },
            apiCost: total - gpu, gpuTimeCost: gpu, cacheSavings: int(row["cache_savings"])
        )
    }

    static func forecast(for group: String, kind: String, budgets: [[String: Any]]) -> (budget: String, projected: Int64?, exhaustsAt: Int64?)? {
        let matching = budgets.filter { row in
            let scope = (row["budget"] as? [String: Any])?["scope"] as? [String: Any] ?? [:]
            return scope["kind"] as? String == kind && scope["id"] as? String == group
        }
        func runsOut(_ row: [String: Any]) -> Int64 { ((row["forecast"] as? [String: Any])?["exhausts_at"] as? NSNumber)?.int64Value ?? .max }
        guard let chosen = matching.min(by: { runsOut($0) < runsOut($1) }) else { return nil }
        let forecast = chosen["forecast"] as? [String: Any] ?? [:]
        return (
            Output.string((chosen["budget"] as? [String: Any])?["id"]), (forecast["projected_at_window_end"] as? NSNumber)?.int64Value,
            (forecast["exhausts_at"] as? NSNumber)?.int64Value
        )
    }

    static func total(_ rows: [ReportRow]) -> ReportRow {
        var sum = ReportRow(group: "TOTAL", requests: 0, tokens: Array(repeating: 0, count: tokenKinds.count), apiCost: 0, gpuTimeCost: 0, cacheSavings: 0)
        for row in rows {
            sum.requests += row.requests
            sum.tokens = zip(sum.tokens, row.tokens).map { $0 + $1 }
            sum.apiCost += row.apiCost
            sum.gpuTimeCost += row.gpuTimeCost
            sum.cacheSavings += row.cacheSavings
            sum.refusals.merge(row.refusals, uniquingKeysWith: +)
            sum.accepted += row.accepted
            sum.rejected += row.rejected
            sum.reworked += row.reworked
            sum.acceptedCost += row.acceptedCost
            sum.reworkCost += row.reworkCost
        }
        return sum
    }

    /// `budget_exceeded 3, rate_limited 1`, or `0`.
    var refusalText: String {
        refusals.isEmpty ? "0" : refusals.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: "; ")
    }

    /// The money columns, in header order: API, GPU time, total, cache savings.
    var money: [Int64] { [apiCost, gpuTimeCost, apiCost + gpuTimeCost, cacheSavings] }

    var cells: [String] {
        var cells: [String] = [group, String(requests)]
        cells += tokens.map(String.init)
        cells += money.map { Money(nanodollars: $0).description }
        cells.append(refusalText)
        cells.append(String(accepted))
        cells.append(costPerAccepted.map { Money(nanodollars: $0).description } ?? "-")
        cells.append(String(reworked))
        cells.append(Money(nanodollars: reworkCost).description)
        cells.append(forecast?.budget ?? "-")
        cells.append(forecast?.projected.map { Money(nanodollars: $0).description } ?? "-")
        cells.append(forecast?.exhaustsAt.map { Output.date(NSNumber(value: $0)) } ?? "-")
        return cells
    }

    /// CSV: dollars as plain decimals; a field with a comma, quote or newline is quoted.
    var csv: [String] {
        func field(_ text: String) -> String {
            guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return text }
            return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        var cells: [String] = [field(group), String(requests)]
        cells += tokens.map(String.init)
        cells += money.map { Money(nanodollars: $0).decimalDollars }
        cells.append(field(refusalText))
        cells.append(String(accepted))
        cells.append(costPerAccepted.map { Money(nanodollars: $0).decimalDollars } ?? "")
        cells.append(String(reworked))
        cells.append(Money(nanodollars: reworkCost).decimalDollars)
        cells.append(field(forecast?.budget ?? ""))
        cells.append(forecast?.projected.map { Money(nanodollars: $0).decimalDollars } ?? "")
        cells.append(forecast?.exhaustsAt.map { Output.date(NSNumber(value: $0)) } ?? "")
        return cells
    }

    var json: [String: Any] {
        [
            "group": group, "requests": requests, "tokens": Dictionary(uniqueKeysWithValues: zip(Self.tokenKinds, tokens)),
            "api_cost_nanodollars": apiCost, "gpu_time_cost_nanodollars": gpuTimeCost, "total_cost_nanodollars": apiCost + gpuTimeCost,
            "cache_savings_nanodollars": cacheSavings, "refusals": refusals,
            "outcomes": [
                "accepted": accepted, "rejected": rejected, "reworked": reworked, "accepted_cost_nanodollars": acceptedCost,
                "cost_per_accepted_nanodollars": costPerAccepted.map { $0 as Any } ?? NSNull(), "rework_cost_nanodollars": reworkCost,
            ] as [String: Any],
            "forecast": forecast.map { forecast -> Any in
                [
                    "budget": forecast.budget, "projected_at_window_end_nanodollars": forecast.projected.map { $0 as Any } ?? NSNull(),
                    "exhausts_at": forecast.exhaustsAt.map { $0 as Any } ?? NSNull(),
                ] as [String: Any]
            } ?? NSNull(),
        ]
    }
}
