import Foundation
import NIOHTTP1
import Testing

extension EndToEnd {
    /// Policies on scopes: inheritance that only tightens, each rule's refusal in each dialect,
    /// tiers and economy-by-default routing, budget pressure, and the decision record.
    @Suite struct Policies {
        static var tiers: [[String: Any]] { [
            ["name": "economy", "models": ["gpt-4o-mini", "claude-haiku-4-5", "gemini-2.5-flash"]],
            ["name": "premium", "models": ["gpt-4o", "claude-sonnet-4-5", "gemini-2.5-pro"]],
        ] }

        static func errorType(_ result: HTTPResult, _ dialect: Dialect) -> String? {
            let error = result.object["error"] as? [String: Any]
            if dialect == .gemini { return ((error?["details"] as? [[String: Any]])?.first?["reason"]) as? String }
            return error?["type"] as? String
        }

        static func decision(_ headers: HTTPHeaders) -> [String: String] {
            var fields: [String: String] = [:]
            for part in (headers.first(name: "x-spendwall-decision") ?? "").components(separatedBy: "; ") {
                let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
                if pair.count == 2 { fields[pair[0]] = pair[1] }
            }
            return fields
        }

        @Test("a team policy tightens the tenant's and never loosens it; each rule refuses with 403 and its code in every dialect")
        func inheritanceAndRefusals() async throws {
            try await withGateway { gateway, _ in
                let account = try await gateway.makeAccount("pol")
                try await gateway.admin(.PUT, "/policies/tenant/\(account.tenant)", json: [
                    "allow_models": ["gpt-4o*", "claude-haiku-*", "gemini-2.5-flash"], "max_choices": 2, "max_input_tokens": 2000,
                ])
                try await gateway.admin(.PUT, "/policies/team/\(account.team)", json: [
                    "allow_models": ["gpt-4o*", "o4-mini", "claude-*", "gemini-*"], "deny_models": ["gpt-4o"], "max_output_tokens": 100,
                ])
                let long = String(repeating: "budget ", count: 1500)
                let cases: [(String, String, Dialect, [String: Any], String)] = [
                    ("team deny", "/v1/chat/completions", .openai, ["model": "gpt-4o", "messages": [["role": "user", "content": "x"]]], "model_not_allowed"),
                    ("team cannot loosen the tenant's list", "/v1/chat/completions", .openai, ["model": "o4-mini", "messages": [["role": "user", "content": "x"]]], "model_not_allowed"),
                    ("output cap", "/v1/chat/completions", .openai, ["model": "gpt-4o-mini", "max_tokens": 200, "messages": [["role": "user", "content": "x"]]], "output_cap_exceeded"),
                    ("n", "/v1/chat/completions", .openai, ["model": "gpt-4o-mini", "n": 3, "messages": [["role": "user", "content": "x"]]], "choices_exceeded"),
                    ("context budget", "/v1/chat/completions", .openai, ["model": "gpt-4o-mini", "messages": [["role": "user", "content": long]]], "context_budget_exceeded"),
                    ("anthropic", "/v1/messages", .anthropic, ["model": "claude-sonnet-4-5", "max_tokens": 50, "messages": [["role": "user", "content": "x"]]], "model_not_allowed"),
                    ("gemini", "/v1beta/models/gemini-2.5-pro:generateContent", .gemini, HappyPaths.geminiBody, "model_not_allowed"),
                ]
                for (name, path, dialect, body, code) in cases {
                    let result = try await gateway.call(path, dialect, secret: account.secret, json: body)
                    #expect(result.status == 403, "\(name): \(result.status) \(result.text)")
                    #expect(Self.errorType(result, dialect) == code, "\(name): \(result.text)")
                }
                // Allowed, without a cap: the policy's cap is written in and held.
                let ok = try await gateway.chat(secret: account.secret, maxTokens: nil)
                #expect(ok.status == 200, "\(ok.text)")
                let decision = Self.decision(ok.headers)
                #expect(decision["model"] == "gpt-4o-mini" && decision["policies"] == "tenant:\(account.tenant),team:\(account.team)", "\(decision)")
                #expect(decision["charge"] != nil && decision["hold"] != nil)
                let rows = try await gateway.settled(rows: 1)
                let row = try #require(rows.first)
                #expect(row.usage.output <= 100)
                let stored = try #require(try await gateway.ledger().first?.decision)
                #expect(ok.headers.first(name: "x-spendwall-decision")?.hasPrefix(stored) == true, "\(stored)")
                #expect(rows.count == 1, "refusals are not charged")

                // The explanation names each scope and the combined result.
                let explained = try await gateway.admin(.GET, "/policies/effective?key=\(account.keyID)").object
                let effective = try #require(explained["effective"] as? [String: Any])
                #expect((effective["max_output_tokens"] as? [String: Any])?["value"] as? Int == 100)
                #expect((explained["levels"] as? [Any])?.count == 2)
            }
        }

        @Test("tiers: economy by default serves premium requests from the economy tier (the response names the model that served); x-spendwall-tier premium needs an override; an alias picks the preferred member")
        func tiersAndEconomyByDefault() async throws {
            try await withGateway { gateway, _ in
                let account = try await gateway.makeAccount("tier")
                try await gateway.admin(.PUT, "/policies/tenant/\(account.tenant)", json: ["tiers": Self.tiers, "default_tier": "economy"])

                let routed = try await gateway.chat(secret: account.secret, extra: ["model": "gpt-4o"])
                #expect(routed.status == 200)
                #expect(routed.object["model"] as? String == "gpt-4o-mini", "the provider was asked for the economy model: \(routed.text.prefix(200))")
                let decision = Self.decision(routed.headers)
                #expect(decision["tier"] == "economy")
                #expect(decision["rules"] == "default-tier:economy@tenant:\(account.tenant),routed:gpt-4o->gpt-4o-mini", "\(decision)")

                let premium = try await gateway.chat(secret: account.secret, extra: ["model": "gpt-4o"], headers: [("x-spendwall-tier", "premium")])
                #expect(premium.status == 403 && Self.errorType(premium, .openai) == "tier_not_allowed", "\(premium.text)")
                try await gateway.admin(.PUT, "/policies/team/\(account.team)", json: ["tier_overrides": ["premium"]])
                let stillRefused = try await gateway.chat(secret: account.secret, extra: ["model": "gpt-4o"], headers: [("x-spendwall-tier", "premium")])
                #expect(stillRefused.status == 403, "the team cannot grant an override the tenant does not list")
                try await gateway.admin(.PUT, "/policies/tenant/\(account.tenant)", json: ["tiers": Self.tiers, "default_tier": "economy", "tier_overrides": ["premium"]])
                let granted = try await gateway.chat(secret: account.secret, extra: ["model": "gpt-4o"], headers: [("x-spendwall-tier", "premium")])
                #expect(granted.status == 200 && granted.object["model"] as? String == "gpt-4o", "\(granted.text.prefix(200))")

                let alias = try await gateway.call("/v1/messages", .anthropic, secret: account.secret, json: [
                    "model": "economy", "max_tokens": 30, "messages": [["role": "user", "content": "hi"]],
                ])
                #expect(alias.status == 200 && alias.object["model"] as? String == "claude-haiku-4-5", "\(alias.text.prefix(200))")
                let gemini = try await gateway.call("/v1beta/models/gemini-2.5-pro:generateContent", .gemini, secret: account.secret, json: HappyPaths.geminiBody)
                #expect(gemini.status == 200)
                #expect(Self.decision(gemini.headers)["model"] == "gemini-2.5-flash")

                let rows = try await gateway.settled(rows: 4)
                #expect(Set(rows.map(\.model)) == ["gpt-4o-mini", "gpt-4o", "claude-haiku-4-5", "gemini-2.5-flash"], "\(rows.map(\.model))")
                let calls = try await gateway.simulatorCalls(atLeast: 4)
                #expect(calls.contains { $0.model == "gemini-2.5-flash" }, "the Gemini path names the routed model")
            }
        }

        @Test("budget pressure: past the threshold, premium requests are served by the economy tier; one that does not fit is downgraded before it is refused")
        func budgetPressureDowngrades() async throws {
            try await withGateway { gateway, _ in
                let account = try await gateway.makeAccount("press")
                try await gateway.admin(.PUT, "/policies/tenant/\(account.tenant)", json: ["tiers": Self.tiers])
                // gpt-4o with 40 output tokens holds ~$0.0005; the budget fits a few of them.
                try await gateway.admin(.POST, "/budgets", json: [
                    "tenant": account.tenant, "scope": "team", "scope_id": account.team, "period": "total", "limit": "0.002",
                    "downgrade_at_percent": 50,
                ])
                var served: [String] = []
                var decisions: [[String: String]] = []
                for _ in 0..<12 {
                    let result = try await gateway.chat(secret: account.secret, extra: ["model": "gpt-4o"])
                    if result.status != 200 {
                        #expect(result.status == 402, "\(result.text)")
                        break
                    }
                    served.append(result.object["model"] as? String ?? "?")
                    decisions.append(Self.decision(result.headers))
                }
                #expect(served.first == "gpt-4o", "\(served)")
                let switchAt = try #require(served.firstIndex(of: "gpt-4o-mini"), "never downgraded: \(served)")
                #expect(served[switchAt...].allSatisfy { $0 == "gpt-4o-mini" }, "\(served)")
                #expect(decisions[switchAt]["rules"]?.contains("budget-pressure:budget:") == true, "\(decisions[switchAt])")
                // Every premium request was served at 50% or beyond only as economy; the budget holds.
                let budgets = try await gateway.budgets(tenant: account.tenant)
                let budget = try #require(budgets.first)
                #expect(budget.spent <= budget.budget.limit)
            }
        }

        @Test("an unpriced model is refused unless the policy prices it; then it is served and charged at the fallback rates")
        func unpricedFallback() async throws {
            try await withGateway { gateway, _ in
                let account = try await gateway.makeAccount("unpriced")
                let refused = try await gateway.chat(secret: account.secret, extra: ["model": "acme-private-llm"])
                #expect(refused.status == 400 && refused.openAIErrorType == "model_not_priced")
                try await gateway.admin(.PUT, "/policies/team/\(account.team)", json: ["unpriced_models": ["input_per_million": "2", "output_per_million": "8"]])
                let served = try await gateway.chat(secret: account.secret, extra: ["model": "acme-private-llm"])
                #expect(served.status == 200, "\(served.text)")
                let row = try #require(try await gateway.settled(rows: 1).first)
                #expect(row.rates.input == 2_000_000 && row.rates.output == 8_000_000, "\(row.rates)")
                #expect(row.cost == row.recomputedCost && row.cost > 0)
                #expect(Self.decision(served.headers)["rules"] == "unpriced-fallback@team:\(account.team)")
            }
        }

        @Test("policies from the config file apply at start; bad policies are refused with 400; spendwall policies set, show and delete")
        func configAdminAndCLI() async throws {
            let config = """
                policies:
                  - tenant: tenant-cfg
                    team: team-cfg
                    deny_models: ["gpt-4o"]
                """
            try await withGateway(configYAML: config) { gateway, scratch in
                let account = try await gateway.makeAccount("cfg")
                #expect(try await gateway.chat(secret: account.secret, extra: ["model": "gpt-4o"]).status == 403)
                for bad in [["max_output_tokens": 0], ["max_request_cost": "free"], ["tiers": [["name": "x", "models": []]]], ["providers": ["openrouter"]]] as [[String: Any]] {
                    let result = try await HTTP.request(.PUT, gateway.adminURL + "/admin/v1/policies/team/\(account.team)", headers: gateway.adminHeaders + [("content-type", "application/json")],
                                                        body: try JSONSerialization.data(withJSONObject: bad))
                    #expect(result.status == 400, "\(bad): \(result.status) \(result.text)")
                }
                let set = try SpendwallCommand.run(["policies", "set", "key", account.keyID, "--max-output-tokens", "10", "--tier", "economy=gpt-4o-mini", "--max-request-cost", "0.01", "--requests-per-minute", "100/shadow", "--concurrent-streams", "3"], home: scratch.home)
                #expect(set.exitCode == 0, "\(set.stderr)")
                let capped = try await gateway.chat(secret: account.secret, maxTokens: 50)
                #expect(capped.status == 403 && capped.openAIErrorType == "output_cap_exceeded")
                let show = try SpendwallCommand.run(["policies", "show", "--key", account.keyID], home: scratch.home)
                #expect(show.exitCode == 0 && show.stdout.contains("team:team-cfg") && show.stdout.contains("key:\(account.keyID)"), "\(show.stdout)")
                #expect(show.stdout.contains(#""requests_per_minute":{"limit":100,"shadow":true}"#) && show.stdout.contains(#""concurrent_streams":3"#), "\(show.stdout)")
                let file = try scratch.write("policy.yaml", "allow_models: [\"gpt-4o-mini\"]\nmax_choices: 1\n")
                #expect(try SpendwallCommand.run(["policies", "set", "tenant", account.tenant, "--file", file], home: scratch.home).exitCode == 0)
                let list = try SpendwallCommand.run(["policies", "list", "--json"], home: scratch.home)
                let rows = try #require((try? JSONSerialization.jsonObject(with: Data(list.stdout.utf8))) as? [[String: Any]], "\(list.stdout)")
                #expect(rows.count == 3)
                #expect(try SpendwallCommand.run(["policies", "delete", "key", account.keyID], home: scratch.home).exitCode == 0)
                #expect(try await gateway.chat(secret: account.secret, maxTokens: 50).status == 200)
                let missing = try SpendwallCommand.run(["policies", "delete", "key", account.keyID], home: scratch.home)
                #expect(missing.exitCode == 3)
            }
        }
    }
}

extension EndToEnd.Policies {
    /// A request in `dialect`'s shape.
    static func request(_ dialect: Dialect, model: String, maxTokens: Int = 20, choices: Int? = nil, content: String = "Hello") -> (String, [String: Any]) {
        switch dialect {
        case .openai:
            var body: [String: Any] = ["model": model, "max_tokens": maxTokens, "messages": [["role": "user", "content": content]]]
            if let choices { body["n"] = choices }
            return ("/v1/chat/completions", body)
        case .anthropic:
            return ("/v1/messages", ["model": model, "max_tokens": maxTokens, "messages": [["role": "user", "content": content]]])
        case .gemini:
            var config: [String: Any] = ["maxOutputTokens": maxTokens]
            if let choices { config["candidateCount"] = choices }
            return ("/v1beta/models/\(model):generateContent", ["contents": [["role": "user", "parts": [["text": content]]]], "generationConfig": config])
        }
    }

    @Test("every policy rule refuses with 403 and its code in every dialect that can express the request")
    func everyRuleInEveryDialect() async throws {
        try await withGateway { gateway, _ in
            let account = try await gateway.makeAccount("rules")
            try await gateway.admin(.PUT, "/policies/team/\(account.team)", json: [
                "deny_models": ["gpt-4.1", "claude-opus-*", "gemini-2.5-flash-lite"], "max_output_tokens": 100, "max_choices": 2,
                "max_input_tokens": 2000, "tiers": Self.tiers, "default_tier": "economy",
            ])
            let costly = try await gateway.makeKey(tenant: account.tenant, team: account.team, name: "costly")
            try await gateway.admin(.PUT, "/policies/key/\(costly.id)", json: ["max_request_cost": "0.000001"])
            let openAIOnly = try await gateway.makeKey(tenant: account.tenant, team: account.team, name: "openai-only")
            try await gateway.admin(.PUT, "/policies/key/\(openAIOnly.id)", json: ["providers": ["openai"]])
            let anthropicOnly = try await gateway.makeKey(tenant: account.tenant, team: account.team, name: "anthropic-only")
            try await gateway.admin(.PUT, "/policies/key/\(anthropicOnly.id)", json: ["providers": ["anthropic"]])

            let economy: [Dialect: String] = [.openai: "gpt-4o-mini", .anthropic: "claude-haiku-4-5", .gemini: "gemini-2.5-flash"]
            // In no tier (a premium model would be served from the economy tier instead).
            let denied: [Dialect: String] = [.openai: "gpt-4.1", .anthropic: "claude-opus-4-5", .gemini: "gemini-2.5-flash-lite"]
            let long = String(repeating: "budget ", count: 1500)
            for dialect in [Dialect.openai, .anthropic, .gemini] {
                let model = economy[dialect]!
                var cases: [(String, String, (String, [String: Any]), [(String, String)])] = [
                    ("model_not_allowed", account.secret, Self.request(dialect, model: denied[dialect]!), []),
                    ("output_cap_exceeded", account.secret, Self.request(dialect, model: model, maxTokens: 200), []),
                    ("context_budget_exceeded", account.secret, Self.request(dialect, model: model, content: long), []),
                    ("request_cost_exceeded", costly.secret, Self.request(dialect, model: model), []),
                    ("tier_not_allowed", account.secret, Self.request(dialect, model: model), [("x-spendwall-tier", "premium")]),
                    ("provider_not_allowed", dialect == .openai ? anthropicOnly.secret : openAIOnly.secret, Self.request(dialect, model: model), []),
                ]
                if dialect != .anthropic {
                    cases.append(("choices_exceeded", account.secret, Self.request(dialect, model: model, choices: 3), []))
                }
                for (code, secret, (path, body), headers) in cases {
                    let result = try await gateway.call(path, dialect, secret: secret, json: body, headers: headers)
                    #expect(result.status == 403, "\(dialect) \(code): \(result.status) \(result.text)")
                    #expect(Self.errorType(result, dialect) == code, "\(dialect) \(code): \(result.text)")
                    #expect(result.headers.first(name: "x-spendwall-decision")?.hasPrefix("refused=\(code)") == true, "\(result.headers)")
                }
                // And the same dialect is served when no rule is broken.
                let (path, body) = Self.request(dialect, model: model)
                #expect(try await gateway.call(path, dialect, secret: account.secret, json: body).status == 200, "\(dialect)")
            }
        }
    }
}
