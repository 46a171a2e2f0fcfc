import Foundation
import NIOHTTP1
import Testing

/// `/metrics` for Prometheus and the JSON logs, against the real binary.
@Suite struct MetricsTests {
    @Test("/metrics counts requests by team and model, refusals by reason, spend equal to the ledger, latency histograms, open holds and budget room; JSON logs carry request id, key id, team and model, never the key")
    func metricsAndLogs() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let gateway = try GatewayProcess.launch(scratch, arguments: ["--log-level", "info", "--log-format", "json"])
        defer { gateway.stop() }
        let account = try await gateway.makeAccount("met")
        _ = try await gateway.setBudget(tenant: account.tenant, scope: "team", scopeID: account.team, limitDollars: "0.0001")
        let answer = try await gateway.chat(secret: account.secret, maxTokens: 10)
        #expect(answer.status == 200, "\(answer.text)")
        let refused = try await gateway.chat(secret: account.secret, maxTokens: 4000)
        #expect(refused.status == 402)
        let ledger = try await gateway.settled(rows: 1, tenant: account.tenant)

        let metrics = try await HTTP.request(.GET, gateway.adminURL + "/metrics")
        #expect(metrics.status == 200 && metrics.headers.first(name: "content-type")?.hasPrefix("text/plain") == true)
        let text = metrics.text
        #expect(text.contains("spendwall_requests_total{team=\"\(account.team)\",model=\"gpt-4o-mini\",status=\"settled\"} 1"), "\(text)")
        #expect(text.contains("spendwall_refusals_total{reason=\"budget_exceeded\"} 1"))
        let spendLine = try #require(text.split(separator: "\n").first { $0.hasPrefix("spendwall_spend_usd_total{team=\"\(account.team)\"") })
        let dollars = String(spendLine.split(separator: " ").last!)
        #expect(ReportTests.nanos(Substring(dollars)) == ledger[0].cost, "\(spendLine) vs \(ledger[0].cost)")
        #expect(text.contains("spendwall_upstream_latency_seconds_count 1") && text.contains("spendwall_gateway_added_latency_seconds_count 1"))
        #expect(text.contains("spendwall_open_holds 0") && text.contains("spendwall_budget_remaining_usd{budget="))
        #expect(!text.contains(account.keyID), "never labelled by key")

        try await Task.sleep(for: .milliseconds(200))
        let logs = gateway.stderrText.split(separator: "\n").compactMap { jsonObject(String($0)) }
        let settled = try #require(logs.first { $0["message"] as? String == "settled" }, "\(gateway.stderrText)")
        #expect(settled["request.id"] as? String == answer.headers.first(name: "x-spendwall-request-id"))
        #expect(settled["key.id"] as? String == account.keyID && settled["team"] as? String == account.team && settled["model"] as? String == "gpt-4o-mini")
        #expect(logs.contains { $0["message"] as? String == "refused" && $0["reason"] as? String == "budget_exceeded" })
        #expect(!gateway.stderrText.contains(account.secret), "the key never reaches the logs")
        #expect(!gateway.stderrText.contains("Say hello to the end-to-end test"), "nor the prompt")
    }
}
