import Foundation
import Spendwall
import SpendwallCore
import Testing

/// The Swift SDK in remote mode against a real gateway process: holds and charges land on the
/// key's central budgets, shared by every client; an unreachable gateway fails closed.
@Suite(.serialized) struct SDKRemoteModeTests {
    @Test("two SDK clients with one key share the gateway's budget: each call held and settled there, the ledger agrees, the budget holds, and an unreachable gateway sends nothing")
    func sharedBudget() async throws {
        try await withGateway { gateway, _ in
            let account = try await gateway.makeAccount("sdk")
            _ = try await gateway.setBudget(tenant: account.tenant, scope: "key", scopeID: account.keyID, limitDollars: "0.001")
            let first = SpendwallClient(gateway: URL(string: gateway.dataURL)!, key: account.secret)
            let second = SpendwallClient(gateway: URL(string: gateway.dataURL)!, key: account.secret)
            let reply = try await first.openAI(apiKey: "simulated", baseURL: gateway.simulatorURL)
                .chat(model: "gpt-4o-mini", messages: [.user("hello")], maxTokens: 30)
            #expect(!reply.text.isEmpty && reply.cost > .zero)
            let rows = try await gateway.settled(rows: 1, tenant: account.tenant)
            #expect(rows.first?.cost == reply.cost.nanodollars, "the gateway charged what the client was told")
            #expect(first.spent == reply.cost && first.limit == .microdollars(1_000))

            var served = 1
            var refused = 0
            for index in 0..<200 {
                let client = index.isMultiple(of: 2) ? first : second
                do {
                    _ = try await client.openAI(apiKey: "simulated", baseURL: gateway.simulatorURL).chat(model: "gpt-4o-mini", messages: [.user("q\(index)")], maxTokens: 30)
                    served += 1
                } catch is BudgetExceededError {
                    refused += 1
                    if refused > 3 { break }
                }
            }
            #expect(refused > 0 && served > 1)
            let budgets = try await gateway.budgets(tenant: account.tenant)
            let budget = try #require(budgets.first)
            #expect(budget.spent <= budget.budget.limit && budget.held == 0)
            let calls = try await gateway.simulatorCalls()
            #expect(calls.count == served, "every call the clients made went through a hold; refused ones were never sent")

            let offline = SpendwallClient(gateway: URL(string: "http://127.0.0.1:9")!, key: account.secret, gatewayTimeout: .seconds(2))
            let error = await #expect(throws: SpendwallError.self) {
                try await offline.openAI(apiKey: "simulated", baseURL: gateway.simulatorURL).chat(model: "gpt-4o-mini", messages: [.user("hi")])
            }
            #expect(error?.code == .gatewayUnavailable)
            #expect(try await gateway.simulatorCalls().count == served, "fail closed: nothing sent")
        }
    }
}
