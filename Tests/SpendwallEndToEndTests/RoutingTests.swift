import Foundation
import NIOHTTP1
import Testing

extension EndToEnd {
    /// Routing: one model served by several upstreams, failover on connect errors, 429 and 5xx
    /// before the first byte, per-upstream circuit breakers, never a retry after bytes went out.
    @Suite struct Routing {
        static let config = """
            upstreams:
              flaky500: { kind: simulator, provider: openai, fault: "status=500" }
              flaky429: { kind: simulator, provider: openai, fault: "status=429" }
              hung: { kind: simulator, provider: openai, fault: hang }
              breaking: { kind: simulator, provider: openai, fault: "break-after=2" }
              dead: { base_url: "http://127.0.0.1:1", provider: openai, api_key_env: ROUTING_TEST_KEY }
              backup: { kind: simulator, provider: openai }
              cheap: { kind: simulator, provider: openai }
            routes:
              - model: gpt-4o-mini
                targets: [ { upstream: flaky500 }, { upstream: flaky429 }, { upstream: dead }, { upstream: backup } ]
              - model: gpt-4o
                first_byte_timeout_seconds: 1
                targets: [ { upstream: hung }, { upstream: backup } ]
              - model: gpt-4.1-nano
                targets: [ { upstream: breaking }, { upstream: backup } ]
              - model: gpt-4.1
                order: price
                targets:
                  - { upstream: backup, input_per_million: "10", output_per_million: "40" }
                  - { upstream: cheap, model: gpt-4.1-mini, input_per_million: "1", output_per_million: "4" }
            circuit_breaker: { failures: 2, cooldown_seconds: 60 }
            """

        static func decision(_ headers: HTTPHeaders) -> String { headers.first(name: "x-spendwall-decision") ?? "" }

        @Test("failover past 500, 429 and a refused connection to the backup; every attempt has its ledger row under the same request id; a circuit opens after repeated failures")
        func failoverAndCircuitBreaker() async throws {
            try await withGateway(configYAML: Self.config, environment: ["ROUTING_TEST_KEY": "dead-upstream-key"]) { gateway, _ in
                let account = try await gateway.makeAccount("route")
                let first = try await gateway.chat(secret: account.secret)
                #expect(first.status == 200, "\(first.text)")
                let decision = Self.decision(first.headers)
                #expect(decision.contains("upstream=backup"), "\(decision)")
                #expect(decision.contains("fallback:flaky500(HTTP 500),fallback:flaky429(HTTP 429),fallback:dead(unreachable)"), "\(decision)")

                let rows = try await gateway.settled(rows: 4)
                let mine = rows.filter { $0.requestID == first.headers.requestID }
                #expect(mine.count == 4, "one row per attempt: \(mine.map(\.status))")
                #expect(mine.filter { $0.status == "settled" }.count == 1)
                #expect(mine.filter { $0.status == "upstream_error" }.map(\.upstreamStatus).sorted { ($0 ?? 0) < ($1 ?? 0) } == [429, 500])
                #expect(mine.contains { $0.status == "not_sent" })
                #expect(mine.filter { $0.status != "settled" }.allSatisfy { $0.cost == 0 }, "failed attempts cost nothing")
                #expect(Set(mine.map(\.holdID)).count == 4)

                // The second request fails on both flaky upstreams again: their circuits open.
                #expect(try await gateway.chat(secret: account.secret).status == 200)
                let callsBefore = try await gateway.simulatorCalls().count
                let third = try await gateway.chat(secret: account.secret)
                #expect(third.status == 200)
                #expect(Self.decision(third.headers).contains("fallback:flaky500(circuit open),fallback:flaky429(circuit open)"), "\(Self.decision(third.headers))")
                #expect(try await gateway.simulatorCalls().count == callsBefore + 1, "open circuits send nothing upstream")
            }
        }

        @Test("a target that does not answer within first_byte_timeout_seconds is abandoned for the next (its attempt charged as unknown); a stream that broke after bytes reached the client is never retried")
        func timeoutFailoverAndNoRetryAfterBytes() async throws {
            try await withGateway(configYAML: Self.config, environment: ["ROUTING_TEST_KEY": "dead-upstream-key"]) { gateway, _ in
                let account = try await gateway.makeAccount("timeout")
                let started = ContinuousClock.now
                let slow = try await gateway.chat(secret: account.secret, extra: ["model": "gpt-4o"])
                #expect(slow.status == 200, "\(slow.text)")
                #expect(ContinuousClock.now - started < .seconds(5))
                #expect(Self.decision(slow.headers).contains("fallback:hung(timeout)") && Self.decision(slow.headers).contains("upstream=backup"))
                let rows = try await gateway.settled(rows: 2).filter { $0.requestID == slow.headers.requestID }
                // The hung provider may have received and billed the request: its attempt is charged its hold.
                let abandoned = try #require(rows.first { $0.status == "estimated" }, "\(rows.map(\.status))")
                #expect(abandoned.cost == abandoned.hold)

                let callsBefore = try await gateway.simulatorCalls().count
                let partial = try await HTTP.streamTolerant(
                    gateway.dataURL + "/v1/chat/completions", headers: Dialect.openai.authHeaders(account.secret),
                    json: ["model": "gpt-4.1-nano", "max_tokens": 50, "stream": true, "messages": [["role": "user", "content": "x"]]]
                )
                #expect(partial.status == 200 && !partial.text.contains("[DONE]"), "the broken stream reaches the client as it broke")
                try await Task.sleep(for: .milliseconds(300))
                let calls = try await gateway.simulatorCalls()
                #expect(calls.count == callsBefore + 1, "no second upstream once bytes went out")
            }
        }

        @Test("a policy's upstream list restricts and orders a route's targets; a model whose upstreams it excludes is refused")
        func policyUpstreamPreference() async throws {
            try await withGateway(configYAML: Self.config, environment: ["ROUTING_TEST_KEY": "dead-upstream-key"]) { gateway, _ in
                let account = try await gateway.makeAccount("prefer")
                try await gateway.admin(.PUT, "/policies/team/\(account.team)", json: ["upstreams": ["backup", "flaky500", "openai"]])
                let routed = try await gateway.chat(secret: account.secret)
                #expect(routed.status == 200)
                let decision = Self.decision(routed.headers)
                #expect(decision.contains("upstream=backup") && !decision.contains("fallback"), "\(decision)")
                #expect(try await gateway.chat(secret: account.secret, extra: ["model": "o4-mini"]).status == 200, "the provider's own upstream is listed")
                try await gateway.admin(.PUT, "/policies/key/\(account.keyID)", json: ["upstreams": ["cheap"]])
                let refused = try await gateway.chat(secret: account.secret)
                #expect(refused.status == 403 && refused.openAIErrorType == "provider_not_allowed", "\(refused.text)")
            }
        }

        @Test("order: price sends the request to the cheapest target, renamed for it and priced at its rates")
        func lowestPriceFirst() async throws {
            try await withGateway(configYAML: Self.config, environment: ["ROUTING_TEST_KEY": "dead-upstream-key"]) { gateway, _ in
                let account = try await gateway.makeAccount("price")
                let result = try await gateway.chat(secret: account.secret, extra: ["model": "gpt-4.1"])
                #expect(result.status == 200)
                let decision = Self.decision(result.headers)
                #expect(decision.contains("upstream=cheap") && decision.contains("served_as=gpt-4.1-mini"), "\(decision)")
                #expect(result.object["model"] as? String == "gpt-4.1-mini")
                let row = try #require(try await gateway.settled(rows: 1).first)
                #expect(row.rates.input == 1_000_000 && row.rates.output == 4_000_000, "\(row.rates)")
            }
        }
    }
}
