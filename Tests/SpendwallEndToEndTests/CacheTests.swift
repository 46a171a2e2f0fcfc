import Foundation
import NIOHTTP1
import Testing

extension EndToEnd {
    /// The exact response cache: opt-in per scope with a TTL, hits answered at zero cost and
    /// recorded with the money saved.
    @Suite struct ResponseCache {
        @Test("an identical normalized request is answered from the cache at zero cost; the ledger records the hit and what it saved; other scopes, tenants, streams and expired entries miss")
        func cacheHitsAreFree() async throws {
            try await withGateway { gateway, scratch in
                let account = try await gateway.makeAccount("cache")
                let set = try SpendwallCommand.run(["policies", "set", "team", account.team, "--cache-ttl", "2"], home: scratch.home)
                #expect(set.exitCode == 0, "\(set.stderr)")
                let raw = #"{"model":"gpt-4o-mini","max_tokens":30,"messages":[{"role":"user","content":"What is a budget?"}]}"#
                let reordered = #"{ "messages": [ { "content": "What is a budget?", "role": "user" } ], "max_tokens": 30, "model": "gpt-4o-mini" }"#
                let headers = Dialect.openai.authHeaders(account.secret)
                let first = try await HTTP.post(gateway.dataURL + "/v1/chat/completions", headers: headers, raw: raw)
                #expect(first.status == 200 && first.headers.first(name: "x-spendwall-cache") == "miss")
                let second = try await HTTP.post(gateway.dataURL + "/v1/chat/completions", headers: headers, raw: reordered)
                #expect(second.status == 200 && second.headers.first(name: "x-spendwall-cache") == "hit", "\(second.headers)")
                #expect(second.body == first.body)
                #expect(second.headers.first(name: "x-spendwall-decision")?.contains("charge=$0.00") == true)
                #expect(second.headers.requestID != first.headers.requestID)

                let rows = try await gateway.settled(rows: 2)
                let paid = try #require(rows.first { $0.requestID == first.headers.requestID })
                let hit = try #require(rows.first { $0.requestID == second.headers.requestID })
                #expect(hit.status == "cached" && hit.cost == 0 && hit.hold == 0)
                #expect(hit.listCost == paid.cost && paid.cost > 0, "the hit records the money it saved")
                #expect(hit.usage == paid.usage)
                #expect(try await gateway.simulatorCalls().count == 1, "a hit never reaches the provider")
                let budgetless = try await gateway.budgets(tenant: account.tenant)
                #expect(budgetless.isEmpty)

                // Misses: another prompt, a stream, another team's key, another tenant.
                let other = try await gateway.chat(secret: account.secret)
                #expect(other.headers.first(name: "x-spendwall-cache") == "miss")
                let stream = try await HTTP.post(gateway.dataURL + "/v1/chat/completions", headers: headers, raw: raw.replacingOccurrences(of: "\"max_tokens\":30", with: "\"max_tokens\":30,\"stream\":true"))
                #expect(stream.headers.first(name: "x-spendwall-cache") == nil)
                let stranger = try await gateway.makeAccount("cache2")
                try await gateway.admin(.PUT, "/policies/team/\(stranger.team)", json: ["cache_ttl_seconds": 60])
                let foreign = try await HTTP.post(gateway.dataURL + "/v1/chat/completions", headers: Dialect.openai.authHeaders(stranger.secret), raw: raw)
                #expect(foreign.headers.first(name: "x-spendwall-cache") == "miss", "tenants never share cached answers")
                // Expiry.
                try await Task.sleep(for: .milliseconds(2200))
                let expired = try await HTTP.post(gateway.dataURL + "/v1/chat/completions", headers: headers, raw: raw)
                #expect(expired.headers.first(name: "x-spendwall-cache") == "miss")
            }
        }
    }
}
