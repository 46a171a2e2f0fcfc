import ArgumentParser
import Foundation
import NIOHTTP1

/// What a kill switch can block.
enum BlockableScope: String, ExpressibleByArgument, CaseIterable {
    case key, user, team, tenant
}

/// The scope a block or unblock acts on, why, and who is acting.
struct BlockTarget: ParsableArguments {
    @Argument(help: "The scope: key, user, team or tenant.") var scope: BlockableScope
    @Argument(help: "Its id.") var id: String
    @Option(help: "Why (required; kept in the audit log, and shown to refused callers when blocking).") var reason: String
    @Option(name: .customLong("by"), help: "Who is acting, for the audit log (default: user@host).") var actor: String?

    /// The admin API body; the actor defaults to `user@host` of this shell.
    var body: [String: Any] {
        let process = ProcessInfo.processInfo
        let user = process.environment["USER"].flatMap { $0.isEmpty ? nil : $0 } ?? process.userName
        return ["scope": scope.rawValue, "id": id, "reason": reason, "actor": actor ?? "\(user)@\(process.hostName)"]
    }
}

/// `spendwall kill key|user|team|tenant ID --reason …`, or `spendwall kill DEPLOYMENT_ID --reason …`.
struct KillCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kill", abstract: "Block a key, user, team or tenant at once (kill switch), or stop a deployment.",
        discussion: """
            New requests of the scope get 403 key_blocked with the reason; its streams in flight end \
            within a second with an error event and are charged for what was streamed. The block and \
            who set it go into the audit log (`spendwall audit`); lift it with `spendwall unblock`.

            Given a deployment id (dep_…), stops that self-hosted engine the way an exhausted budget \
            does (SIGTERM to its process group, the grace period, SIGKILL), charges its GPU time up to \
            then and records who stopped it and why.

            Examples:
              spendwall kill team research --reason "runaway agent loop"
              spendwall kill dep_3f9a1c2b7d4e --reason overspend
            """
    )
    @Argument(help: "key, user, team or tenant, followed by its id; or a deployment id (dep_…).") var scopeOrDeployment: String
    @Argument(help: "The id of the key, user, team or tenant.") var id: String?
    @Option(help: "Why (required; kept in the audit log, and shown to refused callers when blocking).") var reason: String
    @Option(name: .customLong("by"), help: "Who is acting, for the audit log (default: user@host).") var actor: String?
    @OptionGroup var admin: AdminOptions

    func run() async throws {
        try await CLIError.reporting {
            let client = try AdminClient.make(options: admin)
            if scopeOrDeployment.hasPrefix("dep_") {
                guard id == nil else { throw CLIError("a deployment is stopped by its id alone: spendwall kill \(scopeOrDeployment) --reason …", exitCode: .usage) }
                let status = try await client.send(.POST, "/deployments/\(scopeOrDeployment)/kill", body: ["reason": reason, "actor": actorName]) as? [String: Any] ?? [:]
                if admin.json { Output.printJSON(status); return }
                for line in DeploymentText.detail(status) { print(line) }
                return
            }
            guard let scope = BlockableScope(rawValue: scopeOrDeployment), let id else {
                throw CLIError("give key, user, team or tenant and its id, or a deployment id (dep_…)", exitCode: .usage)
            }
            let body: [String: Any] = ["scope": scope.rawValue, "id": id, "reason": reason, "actor": actorName]
            let result = try await client.send(.POST, "/blocks", body: body) as? [String: Any] ?? [:]
            if admin.json { Output.printJSON(result); return }
            let cut = (result["streams_cut"] as? NSNumber)?.intValue ?? 0
            print("blocked \(scope.rawValue) \(id): \(reason)")
            print("streams cut: \(cut)")
        }
    }

    var actorName: String {
        let process = ProcessInfo.processInfo
        let user = process.environment["USER"].flatMap { $0.isEmpty ? nil : $0 } ?? process.userName
        return actor ?? "\(user)@\(process.hostName)"
    }
}

/// `spendwall unblock key|user|team|tenant ID --reason …`.
struct UnblockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unblock", abstract: "Lift a kill switch.",
        discussion: "Example: spendwall unblock team research --reason \"loop fixed in v2.3\""
    )
    @OptionGroup var target: BlockTarget
    @OptionGroup var admin: AdminOptions

    func run() async throws {
        try await CLIError.reporting {
            let result = try await AdminClient.make(options: admin).send(.POST, "/unblocks", body: target.body)
            if admin.json { Output.printJSON(result ?? [:]) } else { print("unblocked \(target.scope.rawValue) \(target.id)") }
        }
    }
}

/// `spendwall blocks`: the kill switches in force.
struct BlocksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "blocks", abstract: "List the kill switches in force.", discussion: "Example: spendwall blocks --tenant acme"
    )
    @Option(help: "Only this tenant's blocks.") var tenant: String?
    @OptionGroup var admin: AdminOptions

    func run() async throws {
        try await CLIError.reporting {
            let rows = try await AdminClient.make(options: admin).send(.GET, "/blocks" + (tenant.map { "?tenant=\($0)" } ?? "")) as? [[String: Any]] ?? []
            if admin.json { Output.printJSON(rows); return }
            Output.printTable(
                ["SCOPE", "TENANT", "SINCE", "BY", "REASON"],
                rows.map { row in
                    let scope = row["scope"] as? [String: Any] ?? [:]
                    return [
                        "\(Output.string(scope["kind"])):\(Output.string(scope["id"]))", Output.string(row["tenant_id"]),
                        Output.date(row["blocked_at"]), Output.string(row["actor"]), Output.string(row["reason"]),
                    ]
                }
            )
        }
    }
}

/// `spendwall audit`: the append-only log of blocks and unblocks.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Show the audit log of kill switches (newest first).",
        discussion: "Example: spendwall audit --tenant acme --limit 20"
    )
    @Option(help: "Only this tenant's entries.") var tenant: String?
    @Option(help: "How many entries (newest first).") var limit: Int = 50
    @OptionGroup var admin: AdminOptions

    func run() async throws {
        try await CLIError.reporting {
            var query = "?limit=\(limit)"
            if let tenant { query += "&tenant=\(tenant)" }
            let rows = try await AdminClient.make(options: admin).send(.GET, "/audit" + query) as? [[String: Any]] ?? []
            if admin.json { Output.printJSON(rows); return }
            Output.printTable(
                ["#", "AT", "ACTION", "SCOPE", "TENANT", "BY", "REASON"],
                rows.map { row in
                    let scope = row["scope"] as? [String: Any] ?? [:]
                    return [
                        Output.string(row["sequence"]), Output.date(row["at"]), Output.string(row["action"]),
                        "\(Output.string(scope["kind"])):\(Output.string(scope["id"]))", Output.string(row["tenant_id"]),
                        Output.string(row["actor"]), Output.string(row["reason"]),
                    ]
                }
            )
        }
    }
}
