import Foundation
import Spendwall
import SpendwallSimulator
import SpendwallCore
import Synchronization
import Testing

/// Each strategy does what its documentation says when a call does not fit.
@Suite struct StrategyTests {
    /// A budget far below one gpt-4o call's hold.
    static let tiny = Budget(Money(nanodollars: 1_000))

    @Test("refuse: BudgetExceededError before the call, with spent, limit and the hold that did not fit; nothing sent or charged")
    func refuse() async throws {
        try await withSimulator { simulator, url in
            let spend = SpendwallClient(budget: Self.tiny, strategy: .refuse)
            let error = await #expect(throws: BudgetExceededError.self) {
                try await spend.openAI(apiKey: "k", baseURL: url).chat(model: "gpt-4o", messages: [.user("hi")], maxTokens: 100)
            }
            #expect(error?.limit == Money(nanodollars: 1_000) && error?.spent == .zero && (error?.hold ?? .zero) > Money(nanodollars: 1_000))
            #expect(simulator.calls.isEmpty && spend.spent == .zero && spend.held == .zero)
        }
    }

    @Test("warn: told once, the call goes ahead and is charged past the limit")
    func warn() async throws {
        try await withSimulator { simulator, url in
            let warnings = Mutex<[BudgetExceededError]>([])
            let spend = SpendwallClient(budget: Self.tiny, strategy: .warn { error in warnings.withLock { $0.append(error) } })
            let reply = try await spend.openAI(apiKey: "k", baseURL: url).chat(model: "gpt-4o", messages: [.user("hi")], maxTokens: 100)
            #expect(warnings.withLock { $0.count } == 1 && simulator.calls.count == 1)
            #expect(spend.spent == reply.cost && spend.spent > spend.limit && spend.remaining == .zero)
        }
    }

    @Test("decide: the callback sees the refusal; false refuses, true lets the call go ahead")
    func decide() async throws {
        try await withSimulator { simulator, url in
            let allow = Atomic<Bool>(false)
            let seen = Atomic<Int>(0)
            let spend = SpendwallClient(budget: Self.tiny, strategy: .decide { error in
                seen.add(1, ordering: .relaxed)
                return allow.load(ordering: .relaxed) && error.model == "gpt-4o"
            })
            let openAI = spend.openAI(apiKey: "k", baseURL: url)
            await #expect(throws: BudgetExceededError.self) { try await openAI.chat(model: "gpt-4o", messages: [.user("hi")], maxTokens: 100) }
            #expect(simulator.calls.isEmpty)
            allow.store(true, ordering: .relaxed)
            _ = try await openAI.chat(model: "gpt-4o", messages: [.user("hi")], maxTokens: 100)
            #expect(simulator.calls.count == 1 && seen.load(ordering: .relaxed) == 2 && spend.spent > .zero)
        }
    }

    @Test("terminate: the registered cleanup runs, output is flushed, the process exits with the distinct code (86)")
    func terminate() async throws {
        try await withSimulator { simulator, url in
            let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent(".build/debug/spendwall-example").path
            let process = Process()
            process.executableURL = URL(fileURLWithPath: example)
            var environment = ProcessInfo.processInfo.environment
            environment["OPENAI_API_KEY"] = "simulated"
            environment["OPENAI_BASE_URL"] = url
            environment["SPENDWALL_EXAMPLE_BUDGET"] = "0.000001"
            environment["SPENDWALL_EXAMPLE_STRATEGY"] = "terminate"
            process.environment = environment
            let output = Pipe()
            process.standardOutput = output
            process.standardError = output
            try process.run()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            let text = String(decoding: data, as: UTF8.self)
            #expect(process.terminationStatus == 86, "\(text)")
            #expect(text.contains("cleanup ran") && text.contains("budget exceeded"), "\(text)")
            #expect(simulator.calls.isEmpty)
        }
    }

    @Test("1,000 concurrent calls against a budget that fits about 100 never overspend; every call sent is charged")
    func concurrency() async throws {
        try await withSimulator { simulator, url in
            // A gpt-4o-mini hold for this request is about $0.0000311 (64 framing + ~50 bytes in, 40 out).
            let spend = SpendwallClient(budget: .amount("0.0031")!)
            let openAI = spend.openAI(apiKey: "k", baseURL: url)
            let outcomes = await withTaskGroup(of: Bool.self) { group in
                for index in 0..<1_000 {
                    group.addTask {
                        do {
                            _ = try await openAI.chat(model: "gpt-4o-mini", messages: [.user("q\(index)")], maxTokens: 40)
                            return true
                        } catch {
                            return false
                        }
                    }
                }
                return await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            let served = outcomes.filter { $0 }.count
            let standing = try await spend.standing()
            #expect(standing.spent <= standing.limit && standing.held == .zero)
            #expect(served == simulator.calls.count && served > 10 && served < 1_000, "served \(served)")
            let charged = simulator.calls.map { ProviderClientTests.price($0.usage, "gpt-4o-mini", .openai) }.reduce(Money.zero, +)
            #expect(charged == standing.spent, "every call sent is charged its usage, once")
        }
    }
}
