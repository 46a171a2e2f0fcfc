import Foundation
import NIOHTTP1
import SpendwallCore
import Testing

extension EndToEnd {
    @Suite struct Budgets {
        /// The hold of one `chat(maxTokens: 40)` request, learnt from a probe tenant's ledger.
        static func probeHold(_ gateway: GatewayProcess) async throws -> Int64 {
            let probe = try await gateway.makeAccount("probe")
            let result = try await gateway.chat(secret: probe.secret)
            #expect(result.status == 200)
            let rows = try await gateway.settled(rows: 1, tenant: probe.tenant)
            return try #require(rows.first).hold
        }

        @Test("an exhausted team budget answers 402 in each dialect's error shape, and nothing refused reaches the provider")
        func exhaustedBudgetRefuses() async throws {
            try await withGateway { gateway, _ in
                let hold = try await Self.probeHold(gateway)
                let callsBefore = try await gateway.simulatorCalls().count
                let account = try await gateway.makeAccount("small")
                let budgetID = try await gateway.setBudget(tenant: account.tenant, scope: "team", scopeID: account.team, limitDollars: dollars(nanos: hold * 5 / 2))

                var successes = 0
                var refusal: HTTPResult?
                for _ in 0..<40 {
                    let result = try await gateway.chat(secret: account.secret)
                    if result.status == 200 {
                        successes += 1
                        continue
                    }
                    refusal = result
                    break
                }
                #expect(successes >= 2, "a budget of 2.5 holds admitted only \(successes) requests")
                let refused = try #require(refusal, "40 requests never exhausted a budget of 2.5 holds")
                #expect(refused.status == 402, "\(refused.status) \(refused.text)")
                #expect(refused.headers.first(name: "x-should-retry") == "false")
                let error = try #require(refused.object["error"] as? [String: Any], "not the OpenAI error shape: \(refused.text)")
                #expect(error["type"] as? String == "budget_exceeded")
                #expect(error["budget_id"] as? String == budgetID)
                #expect((error["message"] as? String)?.contains(budgetID) == true, "the message does not name the budget: \(error)")

                // Anthropic's shape for the same refusal.
                let anthropic = try await gateway.call("/v1/messages", .anthropic, secret: account.secret, json: [
                    "model": "claude-haiku-4-5", "max_tokens": 4000, "messages": [["role": "user", "content": "hi"]],
                ])
                #expect(anthropic.status == 402, "\(anthropic.text)")
                #expect(anthropic.object["type"] as? String == "error", "\(anthropic.text)")
                let anthropicError = try #require(anthropic.object["error"] as? [String: Any])
                #expect(anthropicError["type"] as? String == "budget_exceeded")
                #expect(anthropic.headers.first(name: "x-should-retry") == "false")

                // Gemini's shape.
                let gemini = try await gateway.call("/v1beta/models/gemini-2.5-flash:generateContent", .gemini, secret: account.secret, json: [
                    "contents": [["parts": [["text": "hi"]]]], "generationConfig": ["maxOutputTokens": 8000],
                ])
                #expect(gemini.status == 402, "\(gemini.text)")
                let geminiError = try #require(gemini.object["error"] as? [String: Any])
                #expect(geminiError["status"] as? String == "RESOURCE_EXHAUSTED")
                let reason = (geminiError["details"] as? [[String: Any]])?.first?["reason"] as? String
                #expect(reason == "budget_exceeded")

                let rows = try await gateway.settled(rows: successes, tenant: account.tenant)
                #expect(rows.count == successes, "refused requests must not leave ledger rows")
                let calls = try await gateway.simulatorCalls()
                #expect(calls.count - callsBefore == successes, "refused requests reached the provider")
                let budget = try #require(try await gateway.budgets(tenant: account.tenant).first { $0.budget.id == budgetID })
                #expect(budget.spent <= budget.budget.limit)
                #expect(budget.held == 0)
                #expect(budget.spent == rows.reduce(0) { $0 + $1.cost })
            }
        }

        @Test("64 concurrent clients against a budget of about 100 holds never overspend, and ledger, provider and budget agree")
        func concurrentClientsNeverOverspend() async throws {
            try await withGateway { gateway, _ in
                let hold = try await Self.probeHold(gateway)
                let callsBefore = try await gateway.simulatorCalls().count
                let account = try await gateway.makeAccount("race")
                let limit = hold * 100
                let budgetID = try await gateway.setBudget(tenant: account.tenant, scope: "team", scopeID: account.team, limitDollars: dollars(nanos: limit))

                let secret = account.secret
                let statuses = try await withThrowingTaskGroup(of: [Int].self) { group in
                    for _ in 0..<64 {
                        group.addTask {
                            var seen: [Int] = []
                            for _ in 0..<12 {
                                let result = try await gateway.chat(secret: secret)
                                seen.append(result.status)
                                if result.status != 200 { break }
                            }
                            return seen
                        }
                    }
                    var all: [Int] = []
                    for try await seen in group { all += seen }
                    return all
                }
                let ok = statuses.filter { $0 == 200 }.count
                let refused = statuses.filter { $0 == 402 }.count
                #expect(ok + refused == statuses.count, "unexpected statuses: \(Set(statuses))")
                #expect(refused > 0, "the budget never ran out: \(ok) admitted")
                #expect(ok >= 100, "a budget of 100 holds admitted only \(ok) requests")

                let rows = try await gateway.settled(rows: ok, tenant: account.tenant, timeout: 10)
                let calls = try await gateway.simulatorCalls()
                #expect(rows.count == ok)
                #expect(calls.count - callsBefore == ok)
                #expect(Set(rows.map(\.requestID)).count == rows.count)
                #expect(rows.allSatisfy { $0.status == "settled" && $0.cost == $0.recomputedCost })
                #expect(try await gateway.status().openHolds == 0)
                let budget = try #require(try await gateway.budgets(tenant: account.tenant).first { $0.budget.id == budgetID })
                let ledgerSum = rows.reduce(Int64(0)) { $0 + $1.cost }
                #expect(budget.spent <= limit, "spent \(budget.spent) over the limit \(limit)")
                #expect(budget.spent == ledgerSum, "budget spent \(budget.spent) vs ledger sum \(ledgerSum)")
                #expect(budget.held == 0)
            }
        }
    }
}
