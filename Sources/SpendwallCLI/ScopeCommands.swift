import NIOHTTP1
import ArgumentParser

/// `spendwall tenants create|list`.
struct TenantsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tenants", abstract: "Create and list tenants.",
        subcommands: [Create.self, List.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a tenant.", discussion: "Example: spendwall tenants create acme --name \"Acme Corp\"")
        @Argument(help: "Tenant id (letters, digits, - _ . :).") var id: String
        @Option(help: "Display name.") var name: String?
        @OptionGroup var admin: AdminOptions

        func run() async throws {
            try await CLIError.reporting {
                let result = try await AdminClient.make(options: admin).send(.POST, "/tenants", body: ["id": id, "name": name ?? id])
                if admin.json { Output.printJSON(result ?? [:]) } else { print("created tenant \(id)") }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tenants.", discussion: "Example: spendwall tenants list --json")
        @OptionGroup var admin: AdminOptions

        func run() async throws {
            try await CLIError.reporting {
                let rows = try await AdminClient.make(options: admin).send(.GET, "/tenants") as? [[String: Any]] ?? []
                if admin.json { Output.printJSON(rows) } else {
                    Output.printTable(["TENANT", "NAME", "CREATED"], rows.map { [Output.string($0["id"]), Output.string($0["name"]), Output.date($0["created_at"])] })
                }
            }
        }
    }
}

/// `spendwall teams create|list`.
struct TeamsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "teams", abstract: "Create and list teams.",
        subcommands: [Create.self, List.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a team in a tenant.", discussion: "Example: spendwall teams create research --tenant acme")
        @Argument(help: "Team id.") var id: String
        @Option(help: "Tenant id.") var tenant: String
        @Option(help: "Display name.") var name: String?
        @OptionGroup var admin: AdminOptions

        func run() async throws {
            try await CLIError.reporting {
                let result = try await AdminClient.make(options: admin).send(.POST, "/teams", body: ["tenant": tenant, "id": id, "name": name ?? id])
                if admin.json { Output.printJSON(result ?? [:]) } else { print("created team \(id) in tenant \(tenant)") }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List teams.", discussion: "Example: spendwall teams list --tenant acme")
        @Option(help: "Only this tenant's teams.") var tenant: String?
        @OptionGroup var admin: AdminOptions

        func run() async throws {
            try await CLIError.reporting {
                let rows = try await AdminClient.make(options: admin).send(.GET, "/teams" + (tenant.map { "?tenant=\($0)" } ?? "")) as? [[String: Any]] ?? []
                if admin.json { Output.printJSON(rows) } else {
                    Output.printTable(["TEAM", "TENANT", "NAME"], rows.map { [Output.string($0["id"]), Output.string($0["tenant_id"]), Output.string($0["name"])] })
                }
            }
        }
    }
}

/// `spendwall users create|list`.
struct UsersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users", abstract: "Create and list users.",
        subcommands: [Create.self, List.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a user in a tenant (optionally in a team).", discussion: "Example: spendwall users create alice --tenant acme --team research")
        @Argument(help: "User id.") var id: String
        @Option(help: "Tenant id.") var tenant: String
        @Option(help: "Team id.") var team: String?
        @Option(help: "Display name.") var name: String?
        @OptionGroup var admin: AdminOptions

        func run() async throws {
            try await CLIError.reporting {
                var body: [String: Any] = ["tenant": tenant, "id": id, "name": name ?? id]
                if let team { body["team"] = team }
                let result = try await AdminClient.make(options: admin).send(.POST, "/users", body: body)
                if admin.json { Output.printJSON(result ?? [:]) } else { print("created user \(id)") }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List users.", discussion: "Example: spendwall users list --tenant acme")
        @Option(help: "Only this tenant's users.") var tenant: String?
        @OptionGroup var admin: AdminOptions

        func run() async throws {
            try await CLIError.reporting {
                let rows = try await AdminClient.make(options: admin).send(.GET, "/users" + (tenant.map { "?tenant=\($0)" } ?? "")) as? [[String: Any]] ?? []
                if admin.json { Output.printJSON(rows) } else {
                    Output.printTable(["USER", "TENANT", "TEAM", "NAME"], rows.map { [Output.string($0["id"]), Output.string($0["tenant_id"]), Output.string($0["team_id"]), Output.string($0["name"])] })
                }
            }
        }
    }
}
