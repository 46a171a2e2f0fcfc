// The Spendwall SDK quickstart: a $10 budget in this process, one OpenAI call, the figures.
//
//   OPENAI_API_KEY=sk-… swift run spendwall-example
//   # or against Spendwall's simulated provider, no key needed:
//   spendwall simulator --port 9090 &
//   OPENAI_BASE_URL=http://127.0.0.1:9090 OPENAI_API_KEY=simulated swift run spendwall-example
//
// SPENDWALL_EXAMPLE_BUDGET (dollars) and SPENDWALL_EXAMPLE_STRATEGY=terminate change the budget
// and make an over-budget call end the process (exit 86) after its cleanup.
import Foundation
import Spendwall

let environment = ProcessInfo.processInfo.environment
guard let key = environment["OPENAI_API_KEY"] else {
    FileHandle.standardError.write(Data("set OPENAI_API_KEY (and OPENAI_BASE_URL for another server)\n".utf8))
    exit(2)
}
let budget = environment["SPENDWALL_EXAMPLE_BUDGET"].flatMap(Budget.amount) ?? .dollars(10)
let strategy: BudgetStrategy = environment["SPENDWALL_EXAMPLE_STRATEGY"] == "terminate" ? .terminate() : .refuse

let spend = SpendwallClient(tenantID: "acme", budget: budget, strategy: strategy)
spend.onTerminate { print("cleanup ran") }
let openAI = spend.openAI(apiKey: key, baseURL: environment["OPENAI_BASE_URL"] ?? "https://api.openai.com")
let reply = try await openAI.chat(model: "gpt-4o", messages: [.user("Hello!")])
print(reply.text)
print("cost: \(reply.cost), spent: \(spend.spent), remaining: \(spend.remaining)")
