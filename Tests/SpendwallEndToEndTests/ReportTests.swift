import Foundation
import NIOHTTP1
import Testing

/// `spendwall report` and budget forecasts against the real binary.
@Suite struct ReportTests {
    @Test("report groups by team and feature with API spend, GPU time and cache savings apart, in table, CSV and JSON whose totals equal the ledger; budgets carry a burn-rate forecast")
    func reportAndForecast() async throws {
        try await withGateway { gateway, scratch in
            let account = try await gateway.makeAccount("rep", key: ["allowed_tags": ["feature:*"]])
            _ = try await gateway.setBudget(tenant: account.tenant, scope: "team", scopeID: account.team, limitDollars: "5", period: "daily")
            for (index, feature) in ["search", "search", "summarize"].enumerated() {
                let answer = try await gateway.chat(secret: account.secret, maxTokens: 20 + index, headers: [("x-spendwall-feature", feature)])
                #expect(answer.status == 200, "\(answer.text)")
            }
            let ledger = try await gateway.settled(rows: 3, tenant: account.tenant)
            let total = ledger.map(\.cost).reduce(0, +)

            let json = try SpendwallCommand.run(["report", "--by", "team", "--tenant", account.tenant, "--format", "json"], home: scratch.home)
            let report = try #require(jsonObject(json.stdout), "\(json.stderr)")
            let rows = try #require(report["rows"] as? [[String: Any]])
            #expect(rows.count == 1 && rows.first?["group"] as? String == account.team && (rows.first?["requests"] as? NSNumber)?.intValue == 3)
            #expect(((report["total"] as? [String: Any])?["api_cost_nanodollars"] as? NSNumber)?.int64Value == total)
            #expect(((report["total"] as? [String: Any])?["gpu_time_cost_nanodollars"] as? NSNumber)?.int64Value == 0)

            let features = try SpendwallCommand.run(["report", "--by", "feature", "--tenant", account.tenant, "--format", "csv"], home: scratch.home)
            let lines = features.stdout.split(separator: "\n").map(String.init)
            #expect(lines.first?.hasPrefix("group,requests,input_tokens") == true && lines.count == 3, "\(features.stdout)")
            let search = try #require(lines.first { $0.hasPrefix("search,") }?.split(separator: ","), "\(lines)")
            let summarize = try #require(lines.first { $0.hasPrefix("summarize,") }?.split(separator: ","), "\(lines)")
            #expect(search[1] == "2" && summarize[1] == "1", "requests per feature")
            // The two features' API costs add up to the ledger.
            let column = try #require(lines.first?.split(separator: ",").firstIndex(of: "api_cost_usd"))
            let costs = [search, summarize].compactMap { Self.nanos($0[column]) }
            #expect(costs.count == 2 && costs.reduce(0, +) == total, "\(costs) vs \(total)")
            // Outcomes: one request by its id, two by the trace they were sent with; a refusal by reason.
            let traced = [try await gateway.chat(secret: account.secret, maxTokens: 10, headers: [("x-spendwall-trace-id", "task-7")]),
                          try await gateway.chat(secret: account.secret, maxTokens: 10, headers: [("x-spendwall-trace-id", "task-7")])]
            #expect(traced.allSatisfy { $0.status == 200 })
            let firstID = try #require(ledger.first?.requestID)
            let accepted = try await HTTP.post(gateway.dataURL + "/v1/outcomes", headers: Dialect.openai.authHeaders(account.secret), json: ["request_id": firstID, "outcome": "accepted"])
            #expect(accepted.status == 201, "\(accepted.text)")
            let reworked = try await HTTP.post(gateway.dataURL + "/v1/outcomes", headers: Dialect.openai.authHeaders(account.secret), json: ["trace_id": "task-7", "outcome": "reworked"])
            #expect(reworked.status == 201 && (reworked.object["requests"] as? [String])?.count == 2, "\(reworked.text)")
            let unknown = try await HTTP.post(gateway.dataURL + "/v1/outcomes", headers: Dialect.openai.authHeaders(account.secret), json: ["trace_id": "nope", "outcome": "accepted"])
            #expect(unknown.status == 404)
            let badOutcome = try await HTTP.post(gateway.dataURL + "/v1/outcomes", headers: Dialect.openai.authHeaders(account.secret), json: ["request_id": firstID, "outcome": "great"])
            #expect(badOutcome.status == 400)
            let tooBig = try await gateway.chat(secret: account.secret, maxTokens: 100_000_000)
            #expect(tooBig.status >= 400)
            _ = try await gateway.setBudget(tenant: account.tenant, scope: "key", scopeID: account.keyID, limitDollars: "0.000001")
            let refused = try await gateway.chat(secret: account.secret, maxTokens: 10)
            #expect(refused.status == 402)
            let all = try await gateway.settled(rows: 5, tenant: account.tenant)
            let tracedCost = all.filter { row in traced.contains { $0.headers.first(name: "x-spendwall-request-id") == row.requestID } }.map(\.cost).reduce(0, +)
            try await Task.sleep(for: .milliseconds(300))
            let withOutcomes = try SpendwallCommand.run(["report", "--by", "team", "--tenant", account.tenant, "--format", "json"], home: scratch.home)
            let teamRow = try #require((jsonObject(withOutcomes.stdout)?["rows"] as? [[String: Any]])?.first, "\(withOutcomes.stdout) \(withOutcomes.stderr)")
            let outcomes = try #require(teamRow["outcomes"] as? [String: Any])
            #expect((outcomes["accepted"] as? NSNumber)?.intValue == 1 && (outcomes["reworked"] as? NSNumber)?.intValue == 2)
            #expect((outcomes["rework_cost_nanodollars"] as? NSNumber)?.int64Value == tracedCost)
            let apiCost = all.map(\.cost).reduce(0, +)
            #expect((outcomes["cost_per_accepted_nanodollars"] as? NSNumber)?.int64Value == apiCost, "all the team's API spend over its one accepted outcome")
            #expect(((teamRow["refusals"] as? [String: Any])?["budget_exceeded"] as? NSNumber)?.intValue == 1, "\(teamRow)")
            let teamForecast = try #require(teamRow["forecast"] as? [String: Any], "the team's budget forecast is in the report")
            #expect(teamForecast["budget"] as? String == "team-\(account.team)-daily" && teamForecast["projected_at_window_end_nanodollars"] is NSNumber)
            let status = try SpendwallCommand.run(["status", "--json"], home: scratch.home)
            let statusBudgets = try #require(jsonObject(status.stdout)?["budgets"] as? [[String: Any]], "\(status.stdout)")
            #expect(statusBudgets.contains { $0["forecast"] is [String: Any] }, "status shows the budgets' forecasts")

            let table = try SpendwallCommand.run(["report", "--by", "model", "--period", "2026-11"], home: scratch.home)
            #expect(table.exitCode == 0 && table.stdout.contains("MODEL"))
            let bad = try SpendwallCommand.run(["report", "--period", "2026-13"], home: scratch.home)
            #expect(bad.exitCode != 0 && bad.stderr.contains("YYYY-MM"))

            let budgets = try await gateway.admin(.GET, "/budgets?tenant=\(account.tenant)").json as? [[String: Any]] ?? []
            let forecast = try #require(budgets.first?["forecast"] as? [String: Any], "\(budgets)")
            #expect(((forecast["burn_rate_per_hour"] as? NSNumber)?.int64Value ?? 0) > 0)
            #expect(forecast["projected_at_window_end"] is NSNumber)
        }
    }

    /// Decimal dollars ("0.000012") as nano-dollars.
    static func nanos(_ text: Substring) -> Int64? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard let whole = Int64(parts[0]) else { return nil }
        let fraction = parts.count > 1 ? String(parts[1]) : ""
        return whole * 1_000_000_000 + (Int64((fraction + String(repeating: "0", count: 9 - fraction.count))) ?? 0)
    }
}
