import NIOHTTP1
import ArgumentParser

/// `spendwall keys create|list|revoke`.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Create, list and revoke virtual API keys.",
        subcommands: [Create.self, List.self, Revoke.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a key. The secret is printed once.",
            discussion: "Example: spendwall keys create --tenant acme --team research --name notebook --allow-tag 'feature:*'"
        )
        @Option(help: "Key name.") var name: String = "default"
        @Option(help: "Tenant id.") var tenant: String
        @Option(help: "Team id.") var team: String?
        @Option(help: "User id.") var user: String?
        @Option(name: .customLong("tag"), help: "Tag every request carries (repeatable), e.g. env:prod.") var tags: [String] = []
        @Option(name: .customLong("allow-tag"), help: "Tag a request may add with x-spendwall-feature/-end-user (repeatable; 'feature:*' allows any feature).") var allowedTags: [String] = []
        @Option(name: .customLong("allow-model"), help: "Model the key may use (repeatable; default: every priced model).") var allowedModels: [String] = []
        @Option(name: .customLong("default-max-tokens"), help: "Output cap written into requests without one.") var defaultMaxTokens: Int64?
        @OptionGroup var admin: AdminOptions

        func run() async throws {
            try await CLIError.reporting {
                var body: [String: Any] = ["name": name, "tenant": tenant, "tags": tags, "allowed_tags": allowedTags, "allowed_models": allowedModels]
                if let team { body["team"] = team }
                if let user { body["user"] = user }
                if let defaultMaxTokens { body["default_max_output_tokens"] = defaultMaxTokens }
                let result = try await AdminClient.make(options: admin).send(.POST, "/keys", body: body) as? [String: Any] ?? [:]
                if admin.json { Output.printJSON(result); return }
                let key = result["key"] as? [String: Any] ?? [:]
                print("created key \(Output.string(key["id"])) (\(name)) for tenant \(tenant)\(team.map { ", team \($0)" } ?? "")")
                print("secret (shown once): \(Output.string(result["secret"]))")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List keys (never their secrets).", discussion: "Example: spendwall keys list --tenant acme")
        @Option(help: "Only this tenant's keys.") var tenant: String?
        @OptionGroup var admin: AdminOptions

        func run() async throws {
            try await CLIError.reporting {
                let rows = try await AdminClient.make(options: admin).send(.GET, "/keys" + (tenant.map { "?tenant=\($0)" } ?? "")) as? [[String: Any]] ?? []
                if admin.json { Output.printJSON(rows); return }
                Output.printTable(
                    ["KEY", "NAME", "HINT", "TENANT", "TEAM", "USER", "STATUS", "TAGS"],
                    rows.map { row in ["id", "name", "hint", "tenant_id", "team_id", "user_id", "status", "tags"].map { Output.string(row[$0]) } }
                )
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key at once.", discussion: "Example: spendwall keys revoke key_0123abcd")
        @Argument(help: "Key id (from `keys list`).") var id: String
        @OptionGroup var admin: AdminOptions

        func run() async throws {
            try await CLIError.reporting {
                let result = try await AdminClient.make(options: admin).send(.POST, "/keys/\(id)/revoke")
                if admin.json { Output.printJSON(result ?? [:]) } else { print("revoked key \(id)") }
            }
        }
    }
}
