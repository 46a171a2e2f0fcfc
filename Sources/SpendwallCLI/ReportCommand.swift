import ArgumentParser
import Foundation
import NIOHTTP1
import SpendwallCore

/// `spendwall report`: chargeback by team, user, key, feature, end user, model or provider.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Chargeback report: spend, requests, tokens by kind, GPU time and cache savings, grouped.",
        discussion: """
            Rows come from the ledger (`/admin/v1/spend`). API spend and GPU time of self-hosted deployments \
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
            let fetched = try await AdminClient.make(options: options).send(.GET, "/spend?" + query.joined(separator: "&")) as? [[String: Any]] ?? []
            let rows = ReportRow.rows(fetched, grouping: by)
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

    static let tokenKinds = ["input", "cached_input", "cache_write", "extended_cache_write", "output", "reasoning", "audio_input", "audio_output"]
    static let header = ["group", "requests"] + tokenKinds.map { "\($0)_tokens" } + ["api_cost_usd", "gpu_time_usd", "total_usd", "cache_savings_usd"]

    /// The admin API's rows, for the grouping (feature and end-user keep only their tags, the
    /// prefix removed).
    static func rows(_ fetched: [[String: Any]], grouping: ReportCommand.Grouping) -> [ReportRow] {
        let prefix: String? = switch grouping {
        case .feature: "feature:"
        case .endUser: "end-user:"
        default: nil
        }
        return fetched.compactMap { row in
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
                group: group.isEmpty ? "(none)" : group, requests: int(row["requests"]),
                tokens: ["input", "cached_input", "cache_write", "extended_cache_write", "output", "reasoning", "audio_input", "audio_output"].map { int(usage[$0]) },
                apiCost: total - gpu, gpuTimeCost: gpu, cacheSavings: int(row["cache_savings"])
            )
        }
    }

    static func total(_ rows: [ReportRow]) -> ReportRow {
        rows.reduce(ReportRow(group: "TOTAL", requests: 0, tokens: Array(repeating: 0, count: tokenKinds.count), apiCost: 0, gpuTimeCost: 0, cacheSavings: 0)) { sum, row in
            ReportRow(
                group: "TOTAL", requests: sum.requests + row.requests, tokens: zip(sum.tokens, row.tokens).map { $0 + $1 },
                apiCost: sum.apiCost + row.apiCost, gpuTimeCost: sum.gpuTimeCost + row.gpuTimeCost, cacheSavings: sum.cacheSavings + row.cacheSavings
            )
        }
    }

    var cells: [String] {
        [group, String(requests)] + tokens.map(String.init) + [apiCost, gpuTimeCost, apiCost + gpuTimeCost, cacheSavings].map { Money(nanodollars: $0).description }
    }

    /// CSV: dollars as plain decimals; a group with a comma or quote is quoted.
    var csv: [String] {
        let quoted = group.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + group.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : group
        return [quoted, String(requests)] + tokens.map(String.init) + [apiCost, gpuTimeCost, apiCost + gpuTimeCost, cacheSavings].map { Money(nanodollars: $0).decimalDollars }
    }

    var json: [String: Any] {
        [
            "group": group, "requests": requests, "tokens": Dictionary(uniqueKeysWithValues: zip(Self.tokenKinds, tokens)),
            "api_cost_nanodollars": apiCost, "gpu_time_cost_nanodollars": gpuTimeCost, "total_cost_nanodollars": apiCost + gpuTimeCost,
            "cache_savings_nanodollars": cacheSavings,
        ]
    }
}
