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
            // api_cost_usd is the fourth column from the end; the two features add up to the ledger.
            let costs = [search, summarize].compactMap { Self.nanos($0[$0.count - 4]) }
            #expect(costs.count == 2 && costs.reduce(0, +) == total, "\(costs) vs \(total)")
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
