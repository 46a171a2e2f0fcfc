import ArgumentParser
import Foundation
import NIOHTTP1

/// `spendwall admin-tokens create|list|revoke`: tokens that open the admin API for one tenant.
struct AdminTokensCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin-tokens", abstract: "Create, list and revoke tenant admin tokens (the admin API for one tenant only).",
        discussion: """
            A tenant admin token manages its own tenant's teams, users, keys, budgets, policies, blocks, \
            spend, ledger, alerts and audit log; ids of other tenants answer 404 and operator-wide routes \
            (status, check-ledger, price reload, creating tenants or tokens) answer 403. Use it with any \
            command: SPENDWALL_ADMIN_TOKEN=swa-… spendwall spend
            """,
        subcommands: [Create.self, List.self, Revoke.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a tenant admin token (operator only). The secret is printed once.",
            discussion: "Example: spendwall admin-tokens create --tenant acme --name finops"
        )
        @Option(help: "The tenant the token manages.") var tenant: String
        @Option(help: "A name to recognise it by.") var name: String = "admin"
        @OptionGroup var admin: AdminOptions

        func run() async throws {
            try await CLIError.reporting {
                let result = try await AdminClient.make(options: admin).send(.POST, "/admin-tokens", body: ["tenant": tenant, "name": name]) as? [String: Any] ?? [:]
                if admin.json { Output.printJSON(result); return }
                let token = result["token"] as? [String: Any] ?? [:]
                print("created admin token \(Output.string(token["id"])) (\(name)) for tenant \(tenant)")
                print("secret (shown once): \(Output.string(result["secret"]))")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tenant admin tokens (never their secrets).", discussion: "Example: spendwall admin-tokens list --tenant acme")
        @Option(help: "Only this tenant's tokens.") var tenant: String?
        @OptionGroup var admin: AdminOptions

        func run() async throws {
            try await CLIError.reporting {
                let rows = try await AdminClient.make(options: admin).send(.GET, "/admin-tokens" + (tenant.map { "?tenant=\($0)" } ?? "")) as? [[String: Any]] ?? []
                if admin.json { Output.printJSON(rows); return }
                Output.printTable(
                    ["TOKEN", "NAME", "HINT", "TENANT", "STATUS"],
                    rows.map { row in
                        ["id", "name", "hint", "tenant_id"].map { Output.string(row[$0]) } + [row["revoked_at"] is NSNumber ? "revoked" : "active"]
                    }
                )
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a tenant admin token at once.", discussion: "Example: spendwall admin-tokens revoke adm_0123abcd")
        @Argument(help: "Token id (from `admin-tokens list`).") var id: String
        @OptionGroup var admin: AdminOptions

        func run() async throws {
            try await CLIError.reporting {
                let result = try await AdminClient.make(options: admin).send(.POST, "/admin-tokens/\(id)/revoke")
                if admin.json { Output.printJSON(result ?? [:]) } else { print("revoked admin token \(id)") }
            }
        }
    }
}
