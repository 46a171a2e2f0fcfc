import NIOHTTP1
import ArgumentParser
import Foundation

/// `spendwall budgets set|list|delete`.
struct BudgetsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "budgets", abstract: "Set, list and delete budgets.",
        subcommands: [Set.self, List.self, Delete.self]
    )

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create or update a budget on a tenant, team, user, key or tag.",
            discussion: """
                Examples:
                  spendwall budgets set --tenant acme --limit 500 --period monthly
                  spendwall budgets set --tenant acme --team research --limit 25 --period daily --time-zone Europe/Berlin
                  spendwall budgets set --tenant acme --tag feature:search --limit 10 --period weekly
                """
        )
        @Option(help: "Tenant id.") var tenant: String
        @Option(help: "Team id (a team budget).") var team: String?
        @Option(help: "User id (a user budget).") var user: String?
        @Option(help: "Key id (a key budget).") var key: String?
        @Option(help: "Tag (a tag budget), e.g. feature:search.") var tag: String?
        @Option(help: "Limit in US dollars, e.g. 25 or 0.50.") var limit: String
        @Option(help: "total, daily, weekly or monthly.") var period: String = "monthly"
        @Option(name: .customLong("time-zone"), help: "IANA time zone of the period (default: the server's, UTC).") var timeZone: String?
        @Option(help: "Budget id (default: derived from scope and period).") var id: String?
        @Flag(help: "Shadow mode: evaluate, log and count, never refuse.") var shadow = false
        @Option(name: .customLong("alert-at"), help: "Spend threshold in percent that fires an alert (repeatable; default 50, 80, 100).") var alertAt: [Int] = []
        @Option(name: .customLong("downgrade-at"), help: "Budget pressure: from this percentage used, serve requests from the cheapest model tier (1–100).") var downgradeAt: Int?
        @OptionGroup var admin: AdminOptions

        func validate() throws {
            let scopes = [team, user, key, tag].compactMap { $0 }
            guard scopes.count <= 1 else { throw ValidationError("give at most one of --team, --user, --key, --tag") }
            guard ["total", "daily", "weekly", "monthly"].contains(period) else { throw ValidationError("--period must be total, daily, weekly or monthly") }
        }

        func run() async throws {
            try await CLIError.reporting {
                let (scope, scopeID): (String, String?) =
                    if let team { ("team", team) } else if let user { ("user", user) } else if let key { ("key", key) } else if let tag { ("tag", tag) } else { ("tenant", nil) }
                var body: [String: Any] = ["tenant": tenant, "scope": scope, "period": period, "limit": limit]
                if let scopeID { body["scope_id"] = scopeID }
                if let timeZone { body["time_zone"] = timeZone }
                if let id { body["id"] = id }
                if let downgradeAt { body["downgrade_at_percent"] = downgradeAt }
                if shadow { body["shadow"] = true }
                if !alertAt.isEmpty { body["alert_thresholds"] = alertAt }
                let result = try await AdminClient.make(options: admin).send(.POST, "/budgets", body: body) as? [String: Any] ?? [:]
                if admin.json { Output.printJSON(result) } else {
                    print("budget \(Output.string(result["id"])): \(period) limit \(Output.dollars(result["limit"])) on \(scope) \(scopeID ?? tenant)")
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List budgets with spend, holds and reset time.", discussion: "Example: spendwall budgets list --tenant acme")
        @Option(help: "Only this tenant's budgets.") var tenant: String?
        @OptionGroup var admin: AdminOptions

        func run() async throws {
            try await CLIError.reporting {
                let rows = try await AdminClient.make(options: admin).send(.GET, "/budgets" + (tenant.map { "?tenant=\($0)" } ?? "")) as? [[String: Any]] ?? []
                if admin.json { Output.printJSON(rows); return }
                Output.printTable(
                    ["BUDGET", "SCOPE", "PERIOD", "LIMIT", "SPENT", "HELD", "AVAILABLE", "RESETS", "BURN/H", "PROJECTED", "RUNS OUT", "DOWNGRADE AT", "MODE"],
                    rows.map { row in
                        let budget = row["budget"] as? [String: Any] ?? [:]
                        let scope = budget["scope"] as? [String: Any] ?? [:]
                        return [
                            Output.string(budget["id"]), "\(Output.string(scope["kind"])):\(Output.string(scope["id"]))",
                            Output.string(budget["period"]), Output.dollars(budget["limit"]), Output.dollars(row["spent"]),
                            Output.dollars(row["held"]), Output.dollars(row["available"]),
                            row["resets_at"] == nil ? "never" : Output.date(row["resets_at"]),
                            Output.dollars((row["forecast"] as? [String: Any])?["burn_rate_per_hour"]),
                            Output.dollars((row["forecast"] as? [String: Any])?["projected_at_window_end"]),
                            ((row["forecast"] as? [String: Any])?["exhausts_at"]).map { Output.date($0) } ?? "-",
                            budget["downgrade_at_percent"].map { "\(Output.string($0))%" } ?? "-",
                            (budget["shadow"] as? Bool) == true ? "shadow" : "enforced",
                        ]
                    }
                )
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a budget.", discussion: "Example: spendwall budgets delete team-research-daily")
        @Argument(help: "Budget id.") var id: String
        @OptionGroup var admin: AdminOptions

        func run() async throws {
            try await CLIError.reporting {
                _ = try await AdminClient.make(options: admin).send(.DELETE, "/budgets/\(id)")
                if admin.json { Output.printJSON(["deleted": id]) } else { print("deleted budget \(id)") }
            }
        }
    }
}

/// `spendwall spend`: spend grouped by scope, model or tag.
struct SpendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spend", abstract: "Show spend from the ledger, grouped.",
        discussion: "Example: spendwall spend --tenant acme --by team --since 2026-11-01"
    )
    @Option(help: "Only this tenant.") var tenant: String?
    @Option(help: "Group by tenant, team, user, key, tag, model, provider or status.") var by: String = "team"
    @Option(help: "Start date (YYYY-MM-DD, UTC) or milliseconds since the epoch.") var since: String?
    @Option(help: "End date (exclusive).") var until: String?
    @OptionGroup var admin: AdminOptions

    func run() async throws {
        try await CLIError.reporting {
            var query = ["group_by=\(by)"]
            if let tenant { query.append("tenant=\(tenant)") }
            if let since { query.append("from=\(try Self.millis(since))") }
            if let until { query.append("to=\(try Self.millis(until))") }
            let rows = try await AdminClient.make(options: admin).send(.GET, "/spend?" + query.joined(separator: "&")) as? [[String: Any]] ?? []
            if admin.json { Output.printJSON(rows); return }
            Output.printTable(
                [by.uppercased(), "REQUESTS", "INPUT", "CACHED", "OUTPUT", "REASONING", "AUDIO IN", "AUDIO OUT", "API COST", "GPU TIME", "COST"],
                rows.map { row in
                    let usage = row["usage"] as? [String: Any] ?? [:]
                    let total = (row["cost"] as? NSNumber)?.int64Value ?? 0
                    let gpu = (row["gpu_time_cost"] as? NSNumber)?.int64Value ?? 0
                    return [
                        Output.string(row["group"]), Output.string(row["requests"]), Output.string(usage["input"]),
                        Output.string(usage["cached_input"]), Output.string(usage["output"]), Output.string(usage["reasoning"]),
                        Output.string(usage["audio_input"]), Output.string(usage["audio_output"]),
                        Output.dollars(NSNumber(value: total - gpu)), Output.dollars(NSNumber(value: gpu)), Output.dollars(row["cost"]),
                    ]
                }
            )
        }
    }

    static func millis(_ text: String) throws -> Int64 {
        if let value = Int64(text) { return value }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        guard let date = formatter.date(from: text) else { throw CLIError("'\(text)' is not a date (YYYY-MM-DD)", exitCode: .usage) }
        return Int64(date.timeIntervalSince1970 * 1000)
    }
}
