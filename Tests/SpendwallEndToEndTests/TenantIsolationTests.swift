import Foundation
import NIOHTTP1
import Testing

extension EndToEnd {
    /// Tenant admin tokens: every admin query is bounded by the token's tenant, an id of another
    /// tenant answers exactly like an id that does not exist, and operator-wide routes refuse.
    @Suite struct TenantIsolation {
        @Test("a tenant admin token sees and changes only its tenant: another tenant's ids answer 404 like missing ones, lists are bounded, operator routes answer 403, and revocation closes it")
        func tenantAdminToken() async throws {
            try await withGateway { gateway, _ in
                let acme = try await gateway.makeAccount("iso-a")
                let globex = try await gateway.makeAccount("iso-b")
                let globexBudget = try await gateway.setBudget(tenant: globex.tenant, scope: "key", scopeID: globex.keyID, limitDollars: "5")
                try await gateway.admin(.POST, "/users", json: ["tenant": globex.tenant, "id": "iso-b-user", "team": globex.team])
                for account in [acme, globex] {
                    #expect(try await gateway.chat(secret: account.secret).status == 200)
                }
                _ = try await gateway.settled(rows: 2)

                let created = try await gateway.admin(.POST, "/admin-tokens", json: ["tenant": acme.tenant, "name": "finops"]).object
                let secret = try #require(created["secret"] as? String)
                let tokenID = try #require((created["token"] as? [String: Any])?["id"] as? String)
                #expect(secret.hasPrefix("swa-"))
                let asAcme = TokenClient(url: gateway.adminURL, token: secret)

                // Lists are bounded by the token's tenant; asking for another tenant is a 404.
                #expect(try await asAcme.list("/tenants").map { $0["id"] as? String } == [acme.tenant])
                for path in ["/teams", "/users", "/keys", "/budgets", "/ledger", "/blocks", "/policies", "/audit", "/alerts", "/admin-tokens"] {
                    let rows = try await asAcme.list(path)
                    #expect(rows.allSatisfy { ($0["tenant_id"] ?? ($0["budget"] as? [String: Any])?["tenant_id"] ?? ($0["alert"] as? [String: Any])?["tenant_id"]) as? String == acme.tenant }, "\(path)")
                    #expect(try await asAcme.send(.GET, "\(path)?tenant=\(globex.tenant)").status == 404, "\(path)")
                }
                #expect(try await asAcme.list("/keys").count == 1)
                #expect(try await asAcme.list("/ledger").count == 1)
                let spend = try await asAcme.list("/spend?group_by=tenant")
                #expect(spend.map { $0["group"] as? String } == [acme.tenant])

                // Another tenant's ids answer exactly like ids that do not exist.
                let foreign: [(HTTPMethod, String, String, [String: Any]?)] = [
                    (.PATCH, "/keys/\(globex.keyID)", "/keys/key_missing", ["name": "taken"]),
                    (.POST, "/keys/\(globex.keyID)/revoke", "/keys/key_missing/revoke", nil),
                    (.PATCH, "/teams/\(globex.team)", "/teams/team-missing", ["name": "taken"]),
                    (.PATCH, "/users/iso-b-user", "/users/user-missing", ["name": "taken"]),
                    (.PATCH, "/tenants/\(globex.tenant)", "/tenants/tenant-missing", ["name": "taken"]),
                    (.DELETE, "/budgets/\(globexBudget)", "/budgets/budget-missing", nil),
                    (.PUT, "/policies/key/\(globex.keyID)", "/policies/key/key_missing", ["allowed_models": ["gpt-4o"]]),
                    (.GET, "/policies/effective?key=\(globex.keyID)", "/policies/effective?key=key_missing", nil),
                    (.POST, "/admin-tokens/adm_missing/revoke", "/admin-tokens/adm_missing/revoke", nil),
                ]
                for (method, theirs, missing, body) in foreign {
                    let answer = try await asAcme.send(method, theirs, json: body)
                    let control = try await asAcme.send(method, missing, json: body)
                    #expect(answer.status == 404, "\(method) \(theirs): \(answer.text)")
                    #expect(control.status == 404, "\(method) \(missing): \(control.text)")
                    #expect(answer.errorMessage?.contains("does not exist") == true, "\(theirs): \(answer.text)")
                }
                let blockTheirs = try await asAcme.send(.POST, "/blocks", json: ["scope": "tenant", "id": globex.tenant, "reason": "x"])
                #expect(blockTheirs.status == 404)
                for (path, body) in [("/keys", ["tenant": globex.tenant, "name": "x"]), ("/teams", ["tenant": globex.tenant, "id": "x"]),
                                     ("/users", ["tenant": globex.tenant, "id": "x"]),
                                     ("/budgets", ["tenant": globex.tenant, "scope": "tenant", "period": "total", "limit": "1"])] {
                    #expect(try await asAcme.send(.POST, path, json: body).status == 404, "POST \(path)")
                }

                // Operator-wide routes refuse a tenant token.
                for (method, path, body) in [(HTTPMethod.GET, "/status", nil), (.GET, "/check-ledger", nil), (.POST, "/tenants", ["id": "new"]),
                                             (.POST, "/admin-tokens", ["tenant": acme.tenant]), (.POST, "/prices/reload", [String: Any]())] as [(HTTPMethod, String, [String: Any]?)] {
                    #expect(try await asAcme.send(method, path, json: body).status == 403, "\(method) \(path)")
                }

                // Nothing of the other tenant changed: its key, budget and user are as they were.
                #expect(try await gateway.chat(secret: globex.secret).status == 200)
                let globexKeys = try await gateway.admin(.GET, "/keys?tenant=\(globex.tenant)").json as? [[String: Any]] ?? []
                #expect(globexKeys.first?["name"] as? String == "key-iso-b")
                #expect(try await gateway.budgets(tenant: globex.tenant).count == 1)
                #expect((try await gateway.admin(.GET, "/blocks?tenant=\(globex.tenant)").json as? [[String: Any]])?.isEmpty == true)

                // Its own tenant it manages in full; what it does is audited under the token.
                #expect(try await asAcme.send(.PATCH, "/keys/\(acme.keyID)", json: ["name": "mine"]).status == 200)
                #expect(try await asAcme.send(.POST, "/budgets", json: ["tenant": acme.tenant, "scope": "team", "scope_id": acme.team, "period": "monthly", "limit": "3"]).status == 200)
                #expect(try await asAcme.send(.POST, "/blocks", json: ["scope": "key", "id": acme.keyID, "reason": "audit me", "actor": "ann"]).status == 201)
                let audit = try await asAcme.list("/audit")
                #expect(audit.first?["actor"] as? String == "ann via admin-token:\(tokenID)")
                #expect(try await gateway.chat(secret: acme.secret).status == 403)

                // Revoked, it opens nothing.
                try await gateway.admin(.POST, "/admin-tokens/\(tokenID)/revoke")
                #expect(try await asAcme.send(.GET, "/keys").status == 401)
            }
        }

        @Test("tag budgets of two tenants on the same tag are two budgets; a budget id of another tenant is not taken over")
        func tagBudgetsStayApart() async throws {
            try await withGateway { gateway, _ in
                let acme = try await gateway.makeAccount("tag-a")
                let globex = try await gateway.makeAccount("tag-b")
                let acmeBudget = try await gateway.setBudget(tenant: acme.tenant, scope: "tag", scopeID: "feature:search", limitDollars: "1", period: "monthly")
                let globexBudget = try await gateway.setBudget(tenant: globex.tenant, scope: "tag", scopeID: "feature:search", limitDollars: "9", period: "monthly")
                #expect(acmeBudget != globexBudget)
                #expect(try await gateway.budgets(tenant: acme.tenant).first?.budget.limit == 1_000_000_000)

                let takeover = try await HTTP.post(
                    gateway.adminURL + "/admin/v1/budgets", headers: gateway.adminHeaders,
                    json: ["id": acmeBudget, "tenant": globex.tenant, "scope": "tenant", "period": "total", "limit": "100"]
                )
                #expect(takeover.status == 409)
                #expect(try await gateway.budgets(tenant: acme.tenant).map(\.budget.id) == [acmeBudget])
            }
        }
    }
}

/// The admin API as one token sees it.
private struct TokenClient {
    let url: String
    let token: String

    func send(_ method: HTTPMethod, _ path: String, json: [String: Any]? = nil) async throws -> HTTPResult {
        var headers = [("authorization", "Bearer \(token)")]
        var body: Data?
        if let json {
            headers.append(("content-type", "application/json"))
            body = try JSONSerialization.data(withJSONObject: json)
        }
        return try await HTTP.request(method, url + "/admin/v1" + path, headers: headers, body: body)
    }

    func list(_ path: String) async throws -> [[String: Any]] {
        let answer = try await send(.GET, path)
        guard answer.status == 200, let rows = answer.json as? [[String: Any]] else {
            throw HarnessError("GET \(path) answered \(answer.status): \(answer.text)")
        }
        return rows
    }
}
