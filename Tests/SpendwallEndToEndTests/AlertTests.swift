import Foundation
import NIOHTTP1
import Testing

extension EndToEnd {
    /// Budget alerts: each threshold once per period, the forecast alert, signed webhooks with
    /// retries and a delivery log, and `spendwall alerts test`.
    @Suite struct Alerts {
        static let secret = "whsec-test-0123456789"

        static func config(_ receiver: WebhookReceiver, extra: String = "") -> String {
            """
            alerts:
              max_attempts: 4
              webhooks:
                - url: \(receiver.url)
                  secret_env: SPENDWALL_TEST_WEBHOOK_SECRET
            \(extra)
            """
        }

        @Test("thresholds 50/80/100 fire once each per period to a signed webhook; a failing webhook is retried with backoff and the delivery log shows it")
        func thresholdsToSignedWebhook() async throws {
            let receiver = try WebhookReceiver(failFirst: [500, 503])
            defer { receiver.close() }
            try await withGateway(configYAML: Self.config(receiver, extra: "  forecast: false"), environment: ["SPENDWALL_TEST_WEBHOOK_SECRET": Self.secret]) { gateway, _ in
                let account = try await gateway.makeAccount("alert")
                try await gateway.admin(.POST, "/budgets", json: [
                    "tenant": account.tenant, "scope": "team", "scope_id": account.team, "period": "monthly", "limit": "0.0003",
                ])
                // Spend until the budget refuses: every threshold is crossed on the way.
                for _ in 0..<40 where try await gateway.chat(secret: account.secret, maxTokens: 10).status == 200 {}
                let deliveries = try await receiver.waitFor(3 + 2, timeout: 20)  // 3 alerts, 2 failed attempts
                let delivered = deliveries.filter { $0.status == 200 }
                #expect(delivered.count == 3, "\(deliveries.map { ($0.status, $0.json["type"] ?? "") })")
                #expect(deliveries.allSatisfy { $0.signatureIsValid(secret: Self.secret) }, "every request carries a valid HMAC-SHA256 signature")
                #expect(!deliveries.contains { $0.signatureIsValid(secret: "another-secret") })
                let percents = delivered.compactMap { $0.json["threshold_percent"] as? Int }.sorted()
                #expect(percents == [50, 80, 100], "\(percents)")
                let first = try #require(delivered.first?.json)
                #expect(first["type"] as? String == "budget.threshold" && first["tenant"] as? String == account.tenant)
                #expect(((first["budget"] as? [String: Any])?["scope"] as? String) == "team:\(account.team)")

                // More spend in the same period fires nothing new.
                try await Task.sleep(for: .seconds(2))
                #expect(receiver.received.count == 5)

                let log = try await gateway.admin(.GET, "/alerts?tenant=\(account.tenant)").json as? [[String: Any]] ?? []
                #expect(log.count == 3)
                let attempts = log.flatMap { ($0["deliveries"] as? [[String: Any]]) ?? [] }
                #expect(attempts.allSatisfy { $0["status"] as? String == "delivered" }, "\(attempts)")
                // Every attempt is logged: two failures, then each delivered.
                #expect(attempts.reduce(0) { $0 + ($1["attempts"] as? Int ?? 0) } == 5, "\(attempts)")
                #expect(attempts.contains { ($0["attempts"] as? Int ?? 0) > 1 })
                let hundred = try #require(delivered.first { $0.json["threshold_percent"] as? Int == 100 }?.json["message"] as? String)
                #expect(hundred.contains("refused a request it could not cover"), "\(hundred)")
            }
        }

        @Test("a webhook that never accepts is marked failed after max_attempts; spendwall alerts test reports it; a healthy one passes")
        func failingWebhookAndAlertsTest() async throws {
            let receiver = try WebhookReceiver(failFirst: Array(repeating: 500, count: 4))
            defer { receiver.close() }
            try await withGateway(configYAML: Self.config(receiver), environment: ["SPENDWALL_TEST_WEBHOOK_SECRET": Self.secret]) { gateway, scratch in
                let failing = try SpendwallCommand.run(["alerts", "test", "--wait", "20"], home: scratch.home, timeout: 40)
                #expect(failing.exitCode == 1, "\(failing.stdout) \(failing.stderr)")
                #expect(failing.stdout.contains("failed") && failing.stdout.contains("HTTP 500"), "\(failing.stdout)")
                #expect(receiver.received.count == 4, "max_attempts 4")
                let passing = try SpendwallCommand.run(["alerts", "test"], home: scratch.home, timeout: 40)
                #expect(passing.exitCode == 0, "\(passing.stdout) \(passing.stderr)")
                #expect(passing.stdout.contains("delivered"))
                let sample = try #require(receiver.received.last)
                #expect(sample.json["type"] as? String == "test" && sample.signatureIsValid(secret: Self.secret))
                let list = try SpendwallCommand.run(["alerts", "list"], home: scratch.home)
                #expect(list.stdout.contains("1 failed") && list.stdout.contains("1 delivered"), "\(list.stdout)")
            }
        }

        @Test("the forecast alert fires when the burn rate so far runs the budget out before its period ends")
        func forecastAlert() async throws {
            let receiver = try WebhookReceiver()
            defer { receiver.close() }
            // A daily budget in a time zone where it is about noon: half the day is behind, half ahead.
            let utcHour = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: Date()).hour!
            let offset = 12 - utcHour
            let zone = offset == 0 ? "Etc/GMT" : offset > 0 ? "Etc/GMT-\(offset)" : "Etc/GMT+\(-offset)"
            try await withGateway(configYAML: Self.config(receiver), environment: ["SPENDWALL_TEST_WEBHOOK_SECRET": Self.secret]) { gateway, _ in
                let account = try await gateway.makeAccount("forecast")
                let budget: [String: Any] = [
                    "tenant": account.tenant, "scope": "team", "scope_id": account.team, "period": "daily", "limit": "1",
                    "time_zone": zone, "alert_thresholds": [1000],
                ]
                try await gateway.admin(.POST, "/budgets", json: budget)
                #expect(try await gateway.chat(secret: account.secret, maxTokens: 10).status == 200)
                try await Task.sleep(for: .seconds(2))
                #expect(receiver.received.isEmpty, "half a day's spend of a tiny amount does not run a $1 budget out")
                // Lower the limit to 1.5 × the spend: the other half of the day, at the same rate, overruns it.
                let spent = try #require(try await gateway.budgets(tenant: account.tenant).first).spent
                var lowered = budget
                lowered["limit"] = dollars(nanos: spent * 3 / 2)
                try await gateway.admin(.POST, "/budgets", json: lowered)
                let alert = try #require(try await receiver.waitFor(1).first?.json)
                #expect(alert["type"] as? String == "budget.forecast", "\(alert)")
                #expect((alert["message"] as? String)?.contains("runs out at") == true)
                try await Task.sleep(for: .seconds(2))
                #expect(receiver.received.count == 1, "once per period")
            }
        }
    }
}
