import ArgumentParser
import Foundation
import NIOHTTP1

/// `spendwall alerts list|test`.
struct AlertsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alerts", abstract: "Budget alerts: what fired, and a test delivery to the webhooks.",
        subcommands: [List.self, Test.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List fired alerts with their webhook deliveries, newest first.", discussion: "Example: spendwall alerts list --tenant acme"
        )
        @Option(help: "Only this tenant's alerts.") var tenant: String?
        @Option(help: "How many alerts.") var limit: Int = 50
        @OptionGroup var admin: AdminOptions

        func run() async throws {
            try await CLIError.reporting {
                var query = "?limit=\(limit)"
                if let tenant { query += "&tenant=\(tenant)" }
                let rows = try await AdminClient.make(options: admin).send(.GET, "/alerts" + query) as? [[String: Any]] ?? []
                if admin.json { Output.printJSON(rows); return }
                Output.printTable(["FIRED", "KIND", "BUDGET", "DELIVERIES", "MESSAGE"], rows.map { row in
                    let alert = row["alert"] as? [String: Any] ?? [:]
                    return [
                        Output.date(alert["fired_at"]), Output.string(alert["kind"]), Output.string(alert["budget_id"]),
                        AlertsCommand.summary(row["deliveries"] as? [[String: Any]] ?? []), Output.string(alert["message"]),
                    ]
                })
            }
        }
    }

    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send a sample alert to every configured webhook and wait for the outcome.",
            discussion: "Exits 0 when every webhook answered 2xx. Example: spendwall alerts test"
        )
        @Option(help: "Tenant named in the sample.") var tenant: String = "test"
        @Option(help: "Seconds to wait for the deliveries.") var wait: Int = 20
        @OptionGroup var admin: AdminOptions

        func run() async throws {
            try await CLIError.reporting {
                let client = try AdminClient.make(options: admin)
                let created = try await client.send(.POST, "/alerts/test", body: ["tenant": tenant]) as? [String: Any] ?? [:]
                let alert = created["alert"] as? [String: Any] ?? [:]
                let id = Output.string(alert["id"])
                var deliveries = created["deliveries"] as? [[String: Any]] ?? []
                if deliveries.isEmpty {
                    throw CLIError("no webhooks are configured (alerts.webhooks): the test alert \(id) went to the log only", exitCode: .configuration)
                }
                let deadline = Date().addingTimeInterval(TimeInterval(wait))
                while deliveries.contains(where: { $0["status"] as? String == "pending" }) && Date() < deadline {
                    try await Task.sleep(for: .milliseconds(250))
                    let rows = try await client.send(.GET, "/alerts?limit=50") as? [[String: Any]] ?? []
                    deliveries = rows.first { ($0["alert"] as? [String: Any])?["id"] as? String == id }?["deliveries"] as? [[String: Any]] ?? deliveries
                }
                if admin.json { Output.printJSON(["alert": alert, "deliveries": deliveries]) } else {
                    Output.printTable(["WEBHOOK", "STATUS", "ATTEMPTS", "LAST ERROR"], deliveries.map { row in
                        [Output.string(row["url"]), Output.string(row["status"]), Output.string(row["attempts"]), Output.string(row["last_error"])]
                    })
                }
                guard deliveries.allSatisfy({ $0["status"] as? String == "delivered" }) else {
                    throw CLIError("not every webhook accepted the test alert \(id)", exitCode: .failure)
                }
            }
        }
    }

    /// `2 delivered, 1 pending`.
    static func summary(_ deliveries: [[String: Any]]) -> String {
        guard !deliveries.isEmpty else { return "log only" }
        var counts: [String: Int] = [:]
        for delivery in deliveries { counts[Output.string(delivery["status"]), default: 0] += 1 }
        return counts.keys.sorted().map { "\(counts[$0]!) \($0)" }.joined(separator: ", ")
    }
}
