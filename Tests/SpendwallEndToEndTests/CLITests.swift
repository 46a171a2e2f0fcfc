import Foundation
import NIOHTTP1
import SpendwallCore
import Testing

extension EndToEnd {
    @Suite struct CLI {
        @Test("spendwall lookup prints the catalog's rates as JSON, and exits 3 for an unpriced model")
        func lookup() throws {
            let scratch = try Scratch()
            defer { scratch.remove() }
            let found = try SpendwallCommand.run(["lookup", "--model", "gpt-4o", "--json"], home: scratch.home)
            #expect(found.exitCode == 0, "\(found.stderr)")
            let entries = try #require((try? JSONSerialization.jsonObject(with: Data(found.stdout.utf8))) as? [[String: Any]], "not a JSON array: \(found.stdout)")
            let openai = try #require(entries.first { $0["provider"] as? String == "openai" })
            let rates = try #require(openai["rates"] as? [String: Any])
            #expect(rates["input_per_token_picodollars"] as? Int == 2_500_000)
            #expect(rates["output_per_token_picodollars"] as? Int == 10_000_000)
            let priority = try #require(openai["priority_rates"] as? [String: Any])
            #expect(priority["input_per_token_picodollars"] as? Int == 4_250_000)
            #expect(openai["flex_rates"] == nil)

            let missing = try SpendwallCommand.run(["lookup", "--model", "not-a-model"], home: scratch.home)
            #expect(missing.exitCode == 3, "exit \(missing.exitCode): \(missing.stderr)")
            #expect(missing.stderr.contains("not-a-model"))
        }

        @Test("spendwall demo enforces a budget and reconciles its ledger with the simulator")
        func demo() throws {
            let scratch = try Scratch()
            defer { scratch.remove() }
            let result = try SpendwallCommand.run(["demo", "--requests", "24", "--concurrency", "4"], home: scratch.home, timeout: 90)
            #expect(result.exitCode == 0, "\(result.stderr)")
            #expect(result.stdout.contains("REFUSED (402)"))
            #expect(result.stdout.contains("budget_exceeded: Budget exceeded"), "the research team's budget must run out")
            #expect(result.stdout.contains("the totals match to the nano-dollar"))
            #expect(result.stderr.isEmpty, "the demo must not log errors: \(result.stderr)")
        }

        @Test("spendwall keys create talks to the running gateway found through $SPENDWALL_HOME, and the key works")
        func keysCreateAgainstRunningGateway() async throws {
            try await withGateway { gateway, scratch in
                try await gateway.admin(.POST, "/tenants", json: ["id": "acme", "name": "Acme"])
                try await gateway.admin(.POST, "/teams", json: ["tenant": "acme", "id": "research", "name": "Research"])
                let created = try SpendwallCommand.run(
                    ["keys", "create", "--tenant", "acme", "--team", "research", "--name", "cli-key", "--allow-model", "gpt-4o-mini", "--json"],
                    home: scratch.home
                )
                #expect(created.exitCode == 0, "\(created.stderr)")
                let object = try #require(jsonObject(created.stdout), "not JSON: \(created.stdout)")
                let secret = try #require(object["secret"] as? String)
                #expect(secret.hasPrefix("sw-"))
                let key = try #require(object["key"] as? [String: Any])
                #expect(key["tenant_id"] as? String == "acme")
                #expect(key["team_id"] as? String == "research")
                #expect(key["secret_hash"] as? String != secret)

                let result = try await gateway.chat(secret: secret)
                #expect(result.status == 200, "\(result.text)")
                let refused = try await gateway.chat(secret: secret, extra: ["model": "gpt-4o"])
                #expect(refused.status == 403)

                let listed = try SpendwallCommand.run(["keys", "list", "--tenant", "acme", "--json"], home: scratch.home)
                #expect(listed.exitCode == 0)
                #expect(listed.stdout.contains(key["id"] as? String ?? "<none>"))
                #expect(!listed.stdout.contains(secret), "keys list printed a secret")

                let unknownTenant = try SpendwallCommand.run(["keys", "create", "--tenant", "nobody", "--json"], home: scratch.home)
                #expect(unknownTenant.exitCode != 0)
            }
        }

        @Test("spendwall admin-tokens creates a tenant admin token; every command run with it sees only that tenant; revoked, it opens nothing")
        func tenantAdminTokenCommands() async throws {
            try await withGateway { gateway, scratch in
                let acme = try await gateway.makeAccount("cli-a")
                let globex = try await gateway.makeAccount("cli-b")
                let created = try SpendwallCommand.run(["admin-tokens", "create", "--tenant", acme.tenant, "--name", "finops", "--json"], home: scratch.home)
                #expect(created.exitCode == 0, "\(created.stderr)")
                let object = try #require(jsonObject(created.stdout), "not JSON: \(created.stdout)")
                let secret = try #require(object["secret"] as? String)
                let tokenID = try #require((object["token"] as? [String: Any])?["id"] as? String)

                let asTenant = ["SPENDWALL_ADMIN_TOKEN": secret]
                let keys = try SpendwallCommand.run(["keys", "list"], home: scratch.home, extraEnvironment: asTenant)
                #expect(keys.exitCode == 0, "\(keys.stderr)")
                #expect(keys.stdout.contains(acme.keyID) && !keys.stdout.contains(globex.keyID), "\(keys.stdout)")
                let foreign = try SpendwallCommand.run(["keys", "revoke", globex.keyID], home: scratch.home, extraEnvironment: asTenant)
                #expect(foreign.exitCode != 0 && foreign.stderr.contains("does not exist"), "\(foreign.stderr)")
                let listed = try SpendwallCommand.run(["admin-tokens", "list"], home: scratch.home)
                #expect(listed.stdout.contains(tokenID) && listed.stdout.contains("active") && !listed.stdout.contains(secret), "\(listed.stdout)")

                #expect(try SpendwallCommand.run(["admin-tokens", "revoke", tokenID], home: scratch.home).exitCode == 0)
                let after = try SpendwallCommand.run(["keys", "list"], home: scratch.home, extraEnvironment: asTenant)
                #expect(after.exitCode != 0)
                #expect(try SpendwallCommand.run(["admin-tokens", "list"], home: scratch.home).stdout.contains("revoked"))
            }
        }
    }
}
