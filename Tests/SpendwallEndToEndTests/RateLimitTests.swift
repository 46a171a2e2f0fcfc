import Foundation
import NIOHTTP1
import Testing

extension EndToEnd {
    /// Rate limits per scope (GCRA), 429 with Retry-After in every dialect, and shadow mode for
    /// limits and budgets.
    @Suite struct RateLimits {
        @Test("requests per minute: the limit holds under concurrency, the rest get 429 rate_limited with Retry-After in their dialect, and are not charged")
        func requestsPerMinuteUnderConcurrency() async throws {
            try await withGateway { gateway, _ in
                let account = try await gateway.makeAccount("rpm")
                try await gateway.admin(.PUT, "/policies/team/\(account.team)", json: ["requests_per_minute": 5])
                let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                    for _ in 0..<20 {
                        group.addTask { try await gateway.chat(secret: account.secret).status }
                    }
                    return try await group.reduce(into: [Int]()) { $0.append($1) }
                }
                #expect(statuses.filter { $0 == 200 }.count == 5, "\(statuses)")
                #expect(statuses.filter { $0 == 429 }.count == 15, "\(statuses)")
                for (path, dialect, body) in [
                    ("/v1/chat/completions", Dialect.openai, ["model": "gpt-4o-mini", "max_tokens": 5, "messages": [["role": "user", "content": "x"]]] as [String: Any]),
                    ("/v1/messages", .anthropic, ["model": "claude-haiku-4-5", "max_tokens": 5, "messages": [["role": "user", "content": "x"]]]),
                    ("/v1beta/models/gemini-2.5-flash:generateContent", .gemini, HappyPaths.geminiBody),
                ] {
                    let refused = try await gateway.call(path, dialect, secret: account.secret, json: body)
                    #expect(refused.status == 429, "\(path)")
                    #expect(refused.headers.first(name: "x-spendwall-decision")?.hasPrefix("refused=rate_limited; model=") == true, "\(refused.headers)")
                    let retry = Int(refused.headers.first(name: "retry-after") ?? "") ?? 0
                    #expect((1...12).contains(retry), "\(path): Retry-After \(retry)")
                    let error = try #require(refused.object["error"] as? [String: Any], "\(refused.text)")
                    let type = dialect == .gemini ? ((error["details"] as? [[String: Any]])?.first?["reason"] as? String) : error["type"] as? String
                    #expect(type == "rate_limited" && (error["message"] as? String)?.contains("team:\(account.team)") == true, "\(refused.text)")
                    if dialect == .gemini { #expect(error["status"] as? String == "RESOURCE_EXHAUSTED") }
                }
                #expect(try await gateway.settled(rows: 5).count == 5, "refused requests are not charged")
            }
        }

        @Test("a request the budget refuses gives back what it took from the rate limits")
        func refusedRequestsDoNotCount() async throws {
            try await withGateway { gateway, _ in
                let account = try await gateway.makeAccount("refund")
                try await gateway.admin(.PUT, "/policies/team/\(account.team)", json: ["requests_per_minute": 2])
                let broke = try await gateway.makeKey(tenant: account.tenant, team: account.team, name: "broke")
                try await gateway.setBudget(tenant: account.tenant, scope: "key", scopeID: broke.id, limitDollars: "0.000001")
                for _ in 0..<3 { #expect(try await gateway.chat(secret: broke.secret).status == 402) }
                #expect(try await gateway.chat(secret: account.secret).status == 200)
                #expect(try await gateway.chat(secret: account.secret).status == 200)
                #expect(try await gateway.chat(secret: account.secret).status == 429)
            }
        }

        @Test("tokens per minute and concurrent streams refuse once used up; a settled stream frees its slot and its unused tokens")
        func tokensAndStreams() async throws {
            try await withGateway(configYAML: "simulator:\n  inter_chunk_delay_ms: 100\n") { gateway, _ in
                let account = try await gateway.makeAccount("tpm")
                try await gateway.admin(.PUT, "/policies/key/\(account.keyID)", json: ["concurrent_streams": 1, "tokens_per_minute": 3000])
                let body: [String: Any] = ["model": "gpt-4o-mini", "max_tokens": 500, "stream": true, "messages": [["role": "user", "content": "Tell me a story."]]]
                let url = gateway.dataURL + "/v1/chat/completions", headers = Dialect.openai.authHeaders(account.secret)
                let encoded = try JSONSerialization.data(withJSONObject: body)
                let first = Task { try await HTTP.streamTolerant(url, headers: headers, json: try JSONSerialization.jsonObject(with: encoded)) }
                try await Task.sleep(for: .milliseconds(300))
                let second = try await gateway.call("/v1/chat/completions", .openai, secret: account.secret, json: body)
                #expect(second.status == 429 && second.text.contains("streams open at once"), "\(second.text)")
                #expect(try await first.value.status == 200)
                _ = try await gateway.settled(rows: 1)
                // The stream is closed and its unused tokens are back: the same request fits again.
                let third = try await gateway.call("/v1/chat/completions", .openai, secret: account.secret, json: body)
                #expect(third.status == 200, "\(third.text.prefix(300))")
                // One request whose bounds exceed the per-minute tokens never fits.
                let huge = try await gateway.chat(secret: account.secret, maxTokens: 5000)
                #expect(huge.status == 429 && huge.text.contains("tokens per minute"), "\(huge.text)")
            }
        }

        @Test("shadow mode: a shadow rate limit and a shadow budget never refuse; their would-be refusals are counted in the status")
        func shadowMode() async throws {
            try await withGateway { gateway, _ in
                let account = try await gateway.makeAccount("shadow")
                try await gateway.admin(.PUT, "/policies/team/\(account.team)", json: ["requests_per_minute": ["limit": 2, "shadow": true]])
                try await gateway.admin(.POST, "/budgets", json: [
                    "tenant": account.tenant, "scope": "team", "scope_id": account.team, "period": "total", "limit": "0.00005", "shadow": true,
                ])
                // Each request costs at least $0.000006 (its input), so ten overrun the $0.00005 limit.
                for _ in 0..<10 {
                    let result = try await gateway.chat(secret: account.secret)
                    #expect(result.status == 200, "\(result.text)")
                }
                let status = try await gateway.admin(.GET, "/status").object
                let shadow = try #require(status["shadow_refusals"] as? [String: Int], "\(status)")
                #expect(shadow["requests_per_minute@team:\(account.team)"] == 8, "\(shadow)")
                #expect((shadow.first { $0.key.hasPrefix("budget:") }?.value ?? 0) >= 1, "\(shadow)")
                let budget = try #require(try await gateway.budgets(tenant: account.tenant).first)
                let rows = try await gateway.ledger()
                #expect(budget.spent > budget.budget.limit, "a shadow budget counts spend past its limit: \(rows.map { ($0.cost, $0.hold) })")
            }
        }
    }
}
