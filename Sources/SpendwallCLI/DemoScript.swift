import Synchronization
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SpendwallCatalog
import SpendwallCore

/// What `spendwall demo` does against a running gateway, and what it prints.
struct DemoScript {
    let dataURL: String
    let admin: AdminClient
    let simulatorURL: String
    let requestsPerTeam: Int
    let concurrency: Int

    struct Team {
        var id: String
        var model: String
        var dailyLimit: String
    }

    struct Outcome: Sendable {
        var status: Int
        var errorType: String?
        var message: String?
    }

    func run() async throws {
        let teams = [
            Team(id: "research", model: "gpt-4o", dailyLimit: "0.01"),
            Team(id: "support", model: "gpt-4o-mini", dailyLimit: "1"),
        ]
        print("Spendwall demo: gateway \(dataURL), upstream = built-in SIMULATED provider (simulated answers and usage)\n")
        _ = try await admin.send(.POST, "/tenants", body: ["id": "demo-co", "name": "Demo Co"])
        _ = try await admin.send(.POST, "/budgets", body: ["tenant": "demo-co", "scope": "tenant", "period": "monthly", "limit": "5"])
        var keys: [String: String] = [:]
        for team in teams {
            _ = try await admin.send(.POST, "/teams", body: ["tenant": "demo-co", "id": team.id, "name": team.id])
            _ = try await admin.send(.POST, "/budgets", body: ["tenant": "demo-co", "scope": "team", "scope_id": team.id, "period": "daily", "limit": team.dailyLimit])
            let created = try await admin.send(.POST, "/keys", body: ["tenant": "demo-co", "team": team.id, "name": "\(team.id)-app"]) as? [String: Any]
            keys[team.id] = created?["secret"] as? String
            print("team \(team.id): daily budget $\(team.dailyLimit), model \(team.model), key created")
        }
        print("tenant demo-co: monthly budget $5\n")
        print("Sending \(requestsPerTeam) chat requests per team (\(concurrency) concurrent clients each, every other one streamed)…")
        var outcomes: [String: [Outcome]] = [:]
        try await withThrowingTaskGroup(of: (String, [Outcome]).self) { group in
            for team in teams {
                let key = keys[team.id] ?? ""
                group.addTask { (team.id, try await drive(team: team, key: key)) }
            }
            for try await (team, results) in group { outcomes[team] = results }
        }
        try await waitForSettlement()

        print("")
        let budgets = try await admin.send(.GET, "/budgets?tenant=demo-co") as? [[String: Any]] ?? []
        let spend = try await admin.send(.GET, "/spend?tenant=demo-co&group_by=team") as? [[String: Any]] ?? []
        var rows: [[String]] = []
        for team in teams {
            let results = outcomes[team.id] ?? []
            let ok = results.filter { $0.status == 200 }.count
            let refused = results.filter { $0.status == 402 }.count
            let other = results.count - ok - refused
            let spent = spend.first { ($0["group"] as? String) == team.id }
            let budget = budgets.first { (($0["budget"] as? [String: Any])?["scope"] as? [String: Any])?["id"] as? String == team.id }
            rows.append([
                team.id, team.model, String(ok), String(refused), String(other),
                Output.dollars(spent?["cost"]), Output.dollars((budget?["budget"] as? [String: Any])?["limit"]),
            ])
        }
        Output.printTable(["TEAM", "MODEL", "OK", "REFUSED (402)", "OTHER", "SPENT", "DAILY LIMIT"], rows)
        if let refusal = outcomes.values.joined().first(where: { $0.status == 402 }) {
            print("\nWhy requests were refused (first 402, as the client saw it):\n  \(refusal.errorType ?? "?"): \(refusal.message ?? "")")
        }
        let others = outcomes.values.joined().filter { $0.status != 200 && $0.status != 402 }
        if let first = others.first { print("\nUnexpected answers: \(others.count), e.g. \(first.status) \(first.message ?? "")") }
        try await reconcile()
    }

    private func drive(team: Team, key: String) async throws -> [Outcome] {
        let next = Counter()
        return try await withThrowingTaskGroup(of: [Outcome].self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    var results: [Outcome] = []
                    while let index = next.take(below: requestsPerTeam) {
                        results.append(try await send(model: team.model, key: key, index: index, stream: index % 2 == 1))
                    }
                    return results
                }
            }
            var all: [Outcome] = []
            for try await results in group { all += results }
            return all
        }
    }

    private func send(model: String, key: String, index: Int, stream: Bool) async throws -> Outcome {
        var request = HTTPClientRequest(url: dataURL + "/v1/chat/completions")
        request.method = .POST
        request.headers.add(name: "authorization", value: "Bearer \(key)")
        request.headers.add(name: "content-type", value: "application/json")
        let body: [String: Any] = [
            "model": model, "max_tokens": 256, "stream": stream,
            "messages": [["role": "user", "content": "Demo question \(index): summarise why budgets need enforcement before spend."]],
        ]
        request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let bytes = try await response.body.collect(upTo: 16 * 1024 * 1024)
        var outcome = Outcome(status: Int(response.status.code))
        if outcome.status != 200, let object = try? JSONSerialization.jsonObject(with: Data(bytes.readableBytesView)) as? [String: Any],
           let error = object["error"] as? [String: Any] {
            outcome.errorType = error["type"] as? String
            outcome.message = error["message"] as? String
        }
        return outcome
    }

    private func waitForSettlement() async throws {
        for _ in 0..<500 {
            let status = try await admin.send(.GET, "/status") as? [String: Any]
            if (status?["open_holds"] as? Int) == 0 { return }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Ledger totals against what the simulated provider says it served.
    private func reconcile() async throws {
        let ledger = try await admin.send(.GET, "/ledger?tenant=demo-co&limit=100000") as? [[String: Any]] ?? []
        var request = HTTPClientRequest(url: simulatorURL + "/_simulator/calls")
        request.method = .GET
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 256 * 1024 * 1024)
        let calls = try JSONSerialization.jsonObject(with: Data(bytes.readableBytesView)) as? [[String: Any]] ?? []
        func sum(_ rows: [[String: Any]], _ field: String) -> Int64 {
            rows.reduce(0) { $0 + (((($1["usage"] as? [String: Any])?[field]) as? NSNumber)?.int64Value ?? 0) }
        }
        let catalog = try BundledCatalog.load()
        var expectedCost = Money.zero
        for call in calls {
            guard let usage = call["usage"] as? [String: Any], let model = call["model"] as? String,
                  let price = catalog.resolve(model: model, provider: .openai) else { continue }
            func count(_ key: String) -> Int64 { (usage[key] as? NSNumber)?.int64Value ?? 0 }
            let tokens = TokenUsage(input: count("input"), cachedInput: count("cachedInput"), cacheWrite: count("cacheWrite"), output: count("output"), reasoning: count("reasoning"))
            expectedCost += CostCalculator.price(tokens, model: price).cost
        }
        let ledgerCost = ledger.reduce(Money.zero) { $0 + Money(nanodollars: (($1["cost"] as? NSNumber)?.int64Value ?? 0)) }
        print("\nReconciliation (ledger vs. the simulated provider's own count):")
        Output.printTable(
            ["", "LEDGER", "SIMULATOR"],
            [
                ["upstream calls", String(ledger.count), String(calls.count)],
                ["input tokens", String(sum(ledger, "input")), String(sum(calls, "input"))],
                ["output tokens", String(sum(ledger, "output")), String(sum(calls, "output"))],
                ["cost at catalog prices", ledgerCost.description, expectedCost.description],
            ]
        )
        let matches = ledger.count == calls.count && ledgerCost == expectedCost
            && sum(ledger, "input") == sum(calls, "input") && sum(ledger, "output") == sum(calls, "output")
        print(matches ? "\nEvery upstream call has one ledger row, and the totals match to the nano-dollar." : "\nMISMATCH between the ledger and the simulated provider: please report this.")
        if !matches { throw CLIError("ledger and simulator disagree") }
    }
}

/// Hands out request indices to concurrent workers.
final class Counter: Sendable {
    private let value = Mutex(0)
    func take(below limit: Int) -> Int? {
        value.withLock { value in
            guard value < limit else { return nil }
            defer { value += 1 }
            return value
        }
    }
}
