import NIOHTTP1
import ArgumentParser
import Foundation

/// `spendwall status [ID]`: one deployment in detail, or all of them.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show a deployment in detail, or every deployment and every budget's forecast.",
        discussion: "Examples:\n  spendwall status dep_3f9a1c2b7d4e\n  spendwall status --json"
    )
    @Argument(help: "Deployment id (default: every deployment).") var id: String?
    @OptionGroup var admin: AdminOptions

    func run() async throws {
        try await CLIError.reporting {
            let client = try AdminClient.make(options: admin)
            guard let id else {
                let rows = try await client.send(.GET, "/deployments") as? [[String: Any]] ?? []
                let budgets = try await client.send(.GET, "/budgets") as? [[String: Any]] ?? []
                if admin.json { Output.printJSON(["deployments": rows, "budgets": budgets]); return }
                print("DEPLOYMENTS")
                DeploymentsCommand.printTable(rows)
                print("")
                print("BUDGETS")
                Output.printTable(["BUDGET", "SCOPE", "PERIOD", "SPENT", "LIMIT", "BURN/H", "PROJECTED", "RUNS OUT"], budgets.map { row in
                    let budget = row["budget"] as? [String: Any] ?? [:]
                    let scope = budget["scope"] as? [String: Any] ?? [:]
                    let forecast = row["forecast"] as? [String: Any] ?? [:]
                    return [
                        Output.string(budget["id"]), "\(Output.string(scope["kind"])):\(Output.string(scope["id"]))", Output.string(budget["period"]),
                        Output.dollars(row["spent"]), Output.dollars(budget["limit"]), Output.dollars(forecast["burn_rate_per_hour"]),
                        Output.dollars(forecast["projected_at_window_end"]), forecast["exhausts_at"].map { Output.date($0) } ?? "-",
                    ]
                })
                return
            }
            let status = try await client.send(.GET, "/deployments/\(id)") as? [String: Any] ?? [:]
            if admin.json { Output.printJSON(status); return }
            for line in DeploymentText.detail(status) { print(line) }
        }
    }
}

/// `spendwall deployments`: every deployment, a line each.
struct DeploymentsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deployments", abstract: "List self-hosted deployments.", discussion: "Example: spendwall deployments --tenant acme"
    )
    @Option(help: "Only this tenant's deployments.") var tenant: String?
    @OptionGroup var admin: AdminOptions

    func run() async throws {
        try await CLIError.reporting {
            let rows = try await AdminClient.make(options: admin).send(.GET, "/deployments" + (tenant.map { "?tenant=\($0)" } ?? "")) as? [[String: Any]] ?? []
            if admin.json { Output.printJSON(rows) } else { Self.printTable(rows) }
        }
    }

    static func printTable(_ rows: [[String: Any]]) {
        Output.printTable(["ID", "MODEL", "STATE", "GPU", "RATE", "UPTIME", "GPU COST", "BUDGET LEFT", "TIME LEFT", "TOKENS", "REASON"], rows.map { status in
            let deployment = status["deployment"] as? [String: Any] ?? [:]
            return [
                Output.string(deployment["id"]), Output.string(deployment["model"]), Output.string(deployment["state"]),
                "\(Output.string(deployment["gpu_count"]))×\(Output.string(deployment["gpu"]))", DeploymentText.rate(deployment),
                DeploymentText.duration(status["uptime_ms"]), Output.dollars(status["gpu_cost_nanodollars"]),
                Output.dollars(status["budget_left_nanodollars"]), DeploymentText.duration(status["time_left_ms"]),
                Output.string(status["tokens_served"]), Output.string(deployment["kill_reason"]),
            ]
        })
    }
}
