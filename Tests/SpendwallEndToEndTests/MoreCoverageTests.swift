import Foundation
import NIOHTTP1
import SpendwallCore
import Testing

extension EndToEnd {
    @Suite struct MoreCoverage {
        typealias Case = HappyPaths.Case

        static var variants: [Case] {
            let chatMessages: [[String: Any]] = [["role": "user", "content": "Variant request for the gateway."]]
            return [
                Case(name: "gemini stream as a JSON array", path: "/v1beta/models/gemini-2.5-flash:streamGenerateContent", dialect: .gemini,
                     body: HappyPaths.geminiBody, stream: true, jsonArrayStream: true),
                Case(name: "gemini key in the query", path: "/v1beta/models/gemini-2.5-flash:generateContent?key={KEY}", dialect: .gemini,
                     body: HappyPaths.geminiBody, stream: false),
                Case(name: "gemini sse with the key in the query", path: "/v1beta/models/gemini-2.5-flash:streamGenerateContent?key={KEY}&alt=sse", dialect: .gemini,
                     body: HappyPaths.geminiBody, stream: true),
                Case(name: "gemini v1 path", path: "/v1/models/gemini-2.5-flash:generateContent", dialect: .gemini,
                     body: HappyPaths.geminiBody, stream: false),
                Case(name: "chat n=2", path: "/v1/chat/completions", dialect: .openai,
                     body: ["model": "gpt-4o-mini", "max_tokens": 30, "n": 2, "messages": chatMessages], stream: false),
                Case(name: "chat n=2 stream", path: "/v1/chat/completions", dialect: .openai,
                     body: ["model": "gpt-4o-mini", "max_tokens": 30, "n": 2, "stream": true, "messages": chatMessages], stream: true),
                Case(name: "chat reasoning model, max_completion_tokens", path: "/v1/chat/completions", dialect: .openai,
                     body: ["model": "gpt-5-mini", "max_completion_tokens": 200, "messages": chatMessages], stream: false, expectsReasoning: true),
                Case(name: "chat reasoning model stream", path: "/v1/chat/completions", dialect: .openai,
                     body: ["model": "gpt-5-mini", "max_completion_tokens": 200, "stream": true, "messages": chatMessages], stream: true, expectsReasoning: true),
                Case(name: "chat stream, include_usage false", path: "/v1/chat/completions", dialect: .openai,
                     body: ["model": "gpt-4o-mini", "max_tokens": 30, "stream": true, "stream_options": ["include_usage": false], "messages": chatMessages], stream: true),
                Case(name: "chat stream without a cap", path: "/v1/chat/completions", dialect: .openai,
                     body: ["model": "gpt-4o-mini", "stream": true, "messages": chatMessages], stream: true),
                Case(name: "chat with cached input", path: "/v1/chat/completions", dialect: .openai,
                     body: ["model": "gpt-4o-mini", "max_tokens": 30, "messages": [["role": "user", "content": String(repeating: "cached prompt ", count: 10)]]],
                     stream: false, headers: [("x-simulator-cached-tokens", "4")]),
                Case(name: "responses reasoning stream", path: "/v1/responses", dialect: .openai,
                     body: ["model": "gpt-5-mini", "max_output_tokens": 200, "stream": true, "input": [["role": "user", "content": "Think, then answer."]]],
                     stream: true, expectsReasoning: true),
                Case(name: "responses without a cap", path: "/v1/responses", dialect: .openai,
                     body: ["model": "gpt-4o-mini", "input": "No cap given here."], stream: false),
                Case(name: "embeddings base64", path: "/v1/embeddings", dialect: .openai,
                     body: ["model": "text-embedding-3-small", "input": "one two three", "encoding_format": "base64"], stream: false, hasUpstreamID: false),
                Case(name: "anthropic stream with cache tokens", path: "/v1/messages", dialect: .anthropic,
                     body: ["model": "claude-haiku-4-5", "max_tokens": 60, "stream": true, "system": "You are a cache test.",
                            "messages": [["role": "user", "content": "A rather long question about caching, to have tokens to cache."]]],
                     stream: true, headers: [("x-simulator-cached-tokens", "4"), ("x-simulator-cache-write-tokens", "3"),
                                             ("x-simulator-extended-cache-write-tokens", "2")]),
                Case(name: "anthropic with a Bearer key", path: "/v1/messages", dialect: .openai,
                     body: ["model": "claude-haiku-4-5", "max_tokens": 60, "messages": [["role": "user", "content": "Bearer auth."]]], stream: false),
                Case(name: "anthropic without max_tokens", path: "/v1/messages", dialect: .anthropic,
                     body: ["model": "claude-haiku-4-5", "messages": [["role": "user", "content": "No cap."]]], stream: false),
            ]
        }

        @Test("more request shapes are metered exactly: Gemini array streams and query keys, n>1, reasoning, cache tokens, no caps")
        func variantsAreMeteredExactly() async throws {
            try await withGateway { gateway, _ in
                let account = try await gateway.makeAccount("variants")
                try await HappyPaths.runMatrix(Self.variants, gateway: gateway, account: account)
            }
        }

        @Test("a stream_options.include_usage:false client sees no usage chunk, yet the ledger is exact")
        func explicitIncludeUsageFalseIsHidden() async throws {
            try await withGateway { gateway, _ in
                let account = try await gateway.makeAccount("nousage")
                let result = try await gateway.chat(secret: account.secret, stream: true, extra: ["stream_options": ["include_usage": false]])
                #expect(result.status == 200)
                for chunk in sseData(result.text).filter({ $0 != "[DONE]" }).compactMap(jsonObject) {
                    #expect((chunk["choices"] as? [Any])?.isEmpty == false, "usage chunk leaked to a client that refused it: \(chunk)")
                }
                let row = try #require(try await gateway.settled(rows: 1).first)
                #expect(row.status == "settled")
                #expect(row.usage.output > 0)
            }
        }

        @Test("Anthropic count_tokens is forwarded free: no hold, no ledger row")
        func countTokensIsFree() async throws {
            try await withGateway { gateway, _ in
                let account = try await gateway.makeAccount("count")
                let result = try await gateway.call("/v1/messages/count_tokens", .anthropic, secret: account.secret, json: [
                    "model": "claude-haiku-4-5", "messages": [["role": "user", "content": "count me"]],
                ])
                #expect(result.status == 200, "\(result.text)")
                #expect(result.object["input_tokens"] is Int, "\(result.text)")
                let calls = try await gateway.simulatorCalls(atLeast: 1)
                #expect(calls.first?.sawSpendwallKey == false)
                try await Task.sleep(for: .milliseconds(100))
                #expect(try await gateway.ledger().isEmpty)
                #expect(try await gateway.status().openHolds == 0)
                let unauthenticated = try await HTTP.post(gateway.dataURL + "/v1/messages/count_tokens", json: ["model": "claude-haiku-4-5", "messages": []])
                #expect(unauthenticated.status == 401)
            }
        }

        @Test("key, tag and user budgets each refuse only the requests in their scope")
        func scopedBudgets() async throws {
            try await withGateway { gateway, _ in
                let account = try await gateway.makeAccount("scopes", key: ["allowed_tags": ["feature:*"]])
                let other = try await gateway.makeKey(tenant: account.tenant, team: account.team, name: "other", extra: ["allowed_tags": ["feature:*"]])
                try await gateway.admin(.POST, "/users", json: ["tenant": account.tenant, "team": account.team, "id": "alice", "name": "Alice"])
                let alice = try await gateway.makeKey(tenant: account.tenant, team: account.team, name: "alice", extra: ["user": "alice"])

                _ = try await gateway.setBudget(tenant: account.tenant, scope: "key", scopeID: account.keyID, limitDollars: "0")
                _ = try await gateway.setBudget(tenant: account.tenant, scope: "tag", scopeID: "feature:search", limitDollars: "0", period: "daily")
                _ = try await gateway.setBudget(tenant: account.tenant, scope: "user", scopeID: "alice", limitDollars: "0", period: "monthly")

                let byKey = try await gateway.chat(secret: account.secret)
                #expect(byKey.status == 402, "the key budget of $0 did not refuse: \(byKey.status)")
                let otherKey = try await gateway.chat(secret: other.secret)
                #expect(otherKey.status == 200, "another key of the same team was refused: \(otherKey.text)")
                let tagged = try await gateway.chat(secret: other.secret, headers: [("x-spendwall-feature", "search")])
                #expect(tagged.status == 402, "the tag budget did not refuse: \(tagged.status)")
                let otherTag = try await gateway.chat(secret: other.secret, headers: [("x-spendwall-feature", "chat")])
                #expect(otherTag.status == 200)
                let byUser = try await gateway.chat(secret: alice.secret)
                #expect(byUser.status == 402, "the user budget did not refuse: \(byUser.status)")
                #expect(byUser.errorMessage?.contains("user-alice-monthly") == true || byUser.object["error"] != nil)

                let rows = try await gateway.settled(rows: 2)
                #expect(rows.count == 2)
                #expect(try await gateway.simulatorCalls().count == 2)
                let taggedRow = rows.first { $0.requestID == otherTag.headers.requestID }
                #expect(taggedRow != nil)
            }
        }
    }
}
