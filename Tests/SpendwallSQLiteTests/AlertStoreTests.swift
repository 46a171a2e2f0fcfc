import SpendwallCore
import SpendwallStorage
import Testing

extension StoreConformance {
    @Test("an alert is recorded once per budget, window and kind, with its deliveries; due deliveries come oldest first and update in place", arguments: StoreKind.allCases)
    func alertsAndDeliveries(kind: StoreKind) async throws {
        try await kind.withStore { store in
            func alert(_ id: String, kind: String, window: Int64 = 100, budget: String? = "b1", at: Int64) -> AlertRecord {
                AlertRecord(id: id, tenantID: "acme", budgetID: budget, windowStart: window, kind: kind, message: "m \(id)", payload: #"{"id":"\#(id)"}"#, firedAt: at)
            }
            func delivery(_ id: String, alert: String, due: Int64) -> DeliveryRecord {
                DeliveryRecord(id: id, alertID: alert, url: "https://hooks.example/x", body: "{}", status: .pending, attempts: 0, lastError: nil, nextAttemptAt: due, deliveredAt: nil)
            }
            #expect(try await store.insertAlert(alert("a1", kind: "threshold-50", at: 1), deliveries: [delivery("d1", alert: "a1", due: 5)]))
            #expect(try await store.insertAlert(alert("a2", kind: "threshold-50", at: 2), deliveries: [delivery("d2", alert: "a2", due: 1)]) == false, "same budget, window and kind")
            #expect(try await store.insertAlert(alert("a3", kind: "threshold-50", window: 200, at: 3), deliveries: [delivery("d3", alert: "a3", due: 1)]))
            // Test alerts have no budget and are never de-duplicated.
            #expect(try await store.insertAlert(alert("t1", kind: "test", budget: nil, at: 4), deliveries: []))
            #expect(try await store.insertAlert(alert("t2", kind: "test", budget: nil, at: 5), deliveries: []))

            #expect(try await store.firedAlertKinds(budgetID: "b1", windowStart: 100) == ["threshold-50"])
            #expect(try await store.alerts(tenantID: "acme", limit: 10).map(\.id) == ["t2", "t1", "a3", "a1"])
            // Claimed: each due delivery goes to one caller, and is due again only after the claim.
            let claimed = try await store.dueDeliveries(now: 4, limit: 10)
            #expect(claimed.map(\.id) == ["d3"] && claimed[0].nextAttemptAt == 4 + DeliveryRecord.claimMillis)
            #expect(try await store.dueDeliveries(now: 10, limit: 10).map(\.id) == ["d1"])
            #expect(try await store.dueDeliveries(now: 10, limit: 10).isEmpty)
            let unrecorded = 10 + DeliveryRecord.claimMillis
            #expect(try await store.dueDeliveries(now: unrecorded, limit: 10).map(\.id) == ["d3", "d1"], "a claimant that died is taken over")

            var retried = try #require(try await store.dueDeliveries(now: unrecorded * 2, limit: 1).first)
            retried.attempts = 1
            retried.lastError = "HTTP 500"
            retried.nextAttemptAt = unrecorded * 3
            try await store.updateDelivery(retried)
            let other = retried.id == "d1" ? "d3" : "d1"
            #expect(try await store.dueDeliveries(now: unrecorded * 2, limit: 10).map(\.id) == [other], "the recorded attempt set its own next time")
            #expect(try await store.deliveries(alertID: retried.alertID, limit: 10) == [retried])
            retried.id = "nope"
            await #expect(throws: StoreError.self) { try await store.updateDelivery(retried) }
        }
    }
}
