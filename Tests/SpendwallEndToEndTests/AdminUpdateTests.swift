import Foundation
import NIOHTTP1
import Testing

extension EndToEnd {
    @Suite struct AdminUpdates {
        @Test("PATCH changes tenants, teams, users and keys; a key's new model list applies to its next request")
        func updates() async throws {
            try await withGateway { gateway, _ in
                let account = try await gateway.makeAccount("upd")
                let chat: [String: Any] = ["model": "gpt-4o-mini", "max_tokens": 5, "messages": [["role": "user", "content": "hi"]]]
                #expect(try await gateway.call("/v1/chat/completions", .openai, secret: account.secret, json: chat).status == 200)

                try await gateway.admin(.PATCH, "/keys/\(account.keyID)", json: ["allowed_models": ["gpt-4o"], "name": "renamed"])
                let refused = try await gateway.call("/v1/chat/completions", .openai, secret: account.secret, json: chat)
                #expect(refused.status == 403)
                #expect(refused.openAIErrorType == "model_not_allowed")
                let keys = try await gateway.admin(.GET, "/keys?tenant=\(account.tenant)").json as? [[String: Any]] ?? []
                #expect(keys.first?["name"] as? String == "renamed")

                try await gateway.admin(.PATCH, "/tenants/\(account.tenant)", json: ["name": "Renamed Co"])
                let tenants = try await gateway.admin(.GET, "/tenants").json as? [[String: Any]] ?? []
                #expect(tenants.first { $0["id"] as? String == account.tenant }?["name"] as? String == "Renamed Co")

                try await gateway.admin(.PATCH, "/teams/\(account.team)", json: ["name": "R&D"])
                try await gateway.admin(.POST, "/users", json: ["tenant": account.tenant, "id": "ada", "name": "Ada"])
                try await gateway.admin(.PATCH, "/users/ada", json: ["team": account.team])
                let users = try await gateway.admin(.GET, "/users?tenant=\(account.tenant)").json as? [[String: Any]] ?? []
                #expect(users.first?["team_id"] as? String == account.team)

                // Bad updates are clear 4xx answers and change nothing.
                let missingTeam = try await HTTP.request(
                    .PATCH, gateway.adminURL + "/admin/v1/users/ada", headers: [("content-type", "application/json")] + gateway.adminHeaders,
                    body: Data(#"{"team":"no-such-team"}"#.utf8))
                #expect(missingTeam.status == 404)
                let badCap = try await HTTP.request(
                    .PATCH, gateway.adminURL + "/admin/v1/keys/\(account.keyID)", headers: [("content-type", "application/json")] + gateway.adminHeaders,
                    body: Data(#"{"default_max_output_tokens":-1}"#.utf8))
                #expect(badCap.status == 400)
                let unknownKey = try await HTTP.request(
                    .PATCH, gateway.adminURL + "/admin/v1/keys/key_nope", headers: [("content-type", "application/json")] + gateway.adminHeaders,
                    body: Data(#"{"name":"x"}"#.utf8))
                #expect(unknownKey.status == 404)
            }
        }
    }
}
