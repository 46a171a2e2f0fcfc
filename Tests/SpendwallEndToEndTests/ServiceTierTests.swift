import Foundation
import NIOHTTP1
import Testing

extension EndToEnd {
    /// OpenAI's processing tiers (`service_tier`) bill at their own rates: the hold is priced at
    /// the tier asked for, the settlement at the tier the response reports.
    @Suite struct ServiceTiers {
        /// gpt-4o-mini in the bundled LiteLLM 1.109.1 data, pico-dollars per token.
        static let standardInput: Int64 = 150_000, standardOutput: Int64 = 600_000
        static let priorityInput: Int64 = 250_000, priorityOutput: Int64 = 1_000_000
        /// gpt-5-mini flex.
        static let flexInput: Int64 = 125_000, flexOutput: Int64 = 1_000_000
        /// gemini-2.5-flash priority.
        static let geminiPriorityInput: Int64 = 540_000, geminiPriorityOutput: Int64 = 4_500_000

        @Test("OpenAI and Gemini priority and flex requests are held and charged at their tier's rates; auto and default at standard rates")
        func tiersAreBilledAtTheirRates() async throws {
            try await withGateway { gateway, _ in
                let account = try await gateway.makeAccount("tiers")
                var sent: [(name: String, requestID: String, input: Int64, output: Int64, reported: String)] = []
                func send(_ name: String, _ result: HTTPResult, _ input: Int64, _ output: Int64, reported: String) throws {
                    #expect(result.status == 200, "\(name): \(result.status) \(result.text.prefix(300))")
                    // What the provider says it served at reaches the client unchanged.
                    let served = (result.json as? [String: Any])?["service_tier"] as? String
                        ?? result.headers.first(name: "x-gemini-service-tier")
                        ?? sseData(result.text).compactMap(jsonObject).compactMap { $0["service_tier"] as? String }.first
                    #expect(served == reported, "\(name): served \(served ?? "nothing")")
                    sent.append((name, try #require(result.headers.requestID), input, output, reported))
                }
                try send("chat priority", try await gateway.chat(secret: account.secret, extra: ["service_tier": "priority"]),
                         Self.priorityInput, Self.priorityOutput, reported: "priority")
                try send("chat priority stream", try await gateway.chat(secret: account.secret, stream: true, extra: ["service_tier": "priority"]),
                         Self.priorityInput, Self.priorityOutput, reported: "priority")
                try send("chat auto", try await gateway.chat(secret: account.secret, extra: ["service_tier": "auto"]),
                         Self.standardInput, Self.standardOutput, reported: "default")
                try send("chat default", try await gateway.chat(secret: account.secret, extra: ["service_tier": "default"]),
                         Self.standardInput, Self.standardOutput, reported: "default")
                try send("responses priority", try await gateway.call("/v1/responses", .openai, secret: account.secret, json: [
                    "model": "gpt-4o-mini", "input": "Say hello at priority.", "max_output_tokens": 40, "service_tier": "priority",
                ]), Self.priorityInput, Self.priorityOutput, reported: "priority")
                try send("chat flex", try await gateway.call("/v1/chat/completions", .openai, secret: account.secret, json: [
                    "model": "gpt-5-mini", "max_completion_tokens": 200, "service_tier": "flex",
                    "messages": [["role": "user", "content": "Say hello, slowly."]],
                ]), Self.flexInput, Self.flexOutput, reported: "flex")

                for (name, tier) in [("gemini priority", "priority"), ("gemini priority, enum spelling", "SERVICE_TIER_PRIORITY")] {
                    let result = try await gateway.call("/v1beta/models/gemini-2.5-flash:generateContent", .gemini, secret: account.secret, json: [
                        "contents": [["role": "user", "parts": [["text": "Say hello at priority."]]]],
                        "generationConfig": ["maxOutputTokens": 40], "serviceTier": tier,
                    ])
                    try send(name, result, Self.geminiPriorityInput, Self.geminiPriorityOutput, reported: "priority")
                }

                let rows = try await gateway.settled(rows: sent.count)
                for request in sent {
                    let row = try #require(rows.first { $0.requestID == request.requestID }, "\(request.name): no ledger row")
                    #expect(row.status == "settled", "\(request.name)")
                    #expect(row.rates.input == request.input && row.rates.output == request.output, "\(request.name): rates \(row.rates)")
                    #expect(row.cost == row.recomputedCost && row.cost > 0 && row.cost <= row.hold, "\(request.name): cost \(row.cost) hold \(row.hold)")
                }
                // The hold is priced at the tier too: priority rates are 5/3 of standard ones (the
                // bodies differ by a byte, hence the tolerance).
                let priority = try #require(rows.first { $0.requestID == sent[0].requestID })
                let standard = try #require(rows.first { $0.requestID == sent[3].requestID })
                let ratio = Double(priority.hold) / Double(standard.hold)
                #expect(abs(ratio - 5.0 / 3.0) < 0.01, "holds \(priority.hold) vs \(standard.hold)")
            }
        }
    }
}
