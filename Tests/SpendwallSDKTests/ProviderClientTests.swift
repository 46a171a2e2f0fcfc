import Spendwall
import SpendwallCatalog
import SpendwallCore
import SpendwallSimulator
import Testing

/// The typed clients against the simulated provider: every call held, then charged exactly the
/// provider's usage at the catalog's prices.
@Suite struct ProviderClientTests {
    static let catalog = try! BundledCatalog.load()

    static func price(_ usage: TokenUsage, _ model: String, _ provider: ProviderKind) -> Money {
        CostCalculator.price(usage, model: catalog.resolve(model: model, provider: provider)!).cost
    }

    @Test("the quickstart: an OpenAI chat is charged the simulator's usage to the nano-dollar; spent and remaining follow")
    func openAIChat() async throws {
        try await withSimulator { simulator, url in
            let spend = SpendwallClient(tenantID: "acme", budget: .dollars(10))
            let openAI = spend.openAI(apiKey: "simulated", baseURL: url)
            let reply = try await openAI.chat(model: "gpt-4o-mini", messages: [.system("Be brief."), .user("Hello!")])
            let call = try #require(simulator.calls.last)
            #expect(!reply.text.isEmpty && reply.usage == call.usage)
            #expect(reply.cost == Self.price(call.usage, "gpt-4o-mini", .openai) && reply.cost > .zero)
            #expect(spend.spent == reply.cost && spend.held == .zero && spend.remaining == .dollars(10) - reply.cost)
        }
    }

    @Test("streams of every provider yield text as it arrives and are charged the usage they report")
    func streams() async throws {
        try await withSimulator { simulator, url in
            let spend = SpendwallClient(budget: .dollars(10))
            var charged = Money.zero
            let openAI = try await spend.openAI(apiKey: "k", baseURL: url).chatStream(model: "gpt-4o-mini", messages: [.user("Tell me a story")], maxTokens: 60)
            charged += try await Self.check(openAI, simulator: simulator, model: "gpt-4o-mini", provider: .openai)
            let responses = try await spend.openAI(apiKey: "k", baseURL: url).respondStream(model: "gpt-4o-mini", input: "Tell me a story", maxOutputTokens: 60)
            charged += try await Self.check(responses, simulator: simulator, model: "gpt-4o-mini", provider: .openai)
            let claude = try await spend.anthropic(apiKey: "k", baseURL: url).messageStream(model: "claude-sonnet-4-5", messages: [.user("Tell me a story")], maxTokens: 60)
            charged += try await Self.check(claude, simulator: simulator, model: "claude-sonnet-4-5", provider: .anthropic)
            let gemini = try await spend.gemini(apiKey: "k", baseURL: url).generateStream(model: "gemini-2.5-flash", messages: [.user("Tell me a story")], maxOutputTokens: 60)
            charged += try await Self.check(gemini, simulator: simulator, model: "gemini-2.5-flash", provider: .gemini)
            #expect(spend.spent == charged && spend.held == .zero)
        }
    }

    static func check(_ stream: AsyncThrowingStream<ReplyDelta, any Error>, simulator: SimulatedProvider, model: String, provider: ProviderKind) async throws -> Money {
        var text = ""
        var finished: (TokenUsage?, Money)?
        for try await delta in stream {
            switch delta {
            case .text(let piece): text += piece
            case .finished(let usage, let cost): finished = (usage, cost)
            }
        }
        let call = try #require(simulator.calls.last)
        #expect(!text.isEmpty, "\(model) streamed text")
        let (usage, cost) = try #require(finished)
        #expect(usage == call.usage, "\(model): the usage the stream reported")
        #expect(cost == price(call.usage, model, provider) && cost > .zero)
        return cost
    }

    @Test("non-streamed Anthropic, Gemini, Responses and embeddings calls are charged exactly")
    func nonStreamed() async throws {
        try await withSimulator { simulator, url in
            let spend = SpendwallClient(budget: .dollars(10))
            let claude = try await spend.anthropic(apiKey: "k", baseURL: url).message(model: "claude-sonnet-4-5", messages: [.system("Brief."), .user("Hi")], maxTokens: 40)
            #expect(claude.cost == Self.price(simulator.calls.last!.usage, "claude-sonnet-4-5", .anthropic) && !claude.text.isEmpty)
            let gemini = try await spend.gemini(apiKey: "k", baseURL: url).generate(model: "gemini-2.5-flash", messages: [.user("Hi")])
            #expect(gemini.cost == Self.price(simulator.calls.last!.usage, "gemini-2.5-flash", .gemini) && !gemini.text.isEmpty)
            let response = try await spend.openAI(apiKey: "k", baseURL: url).respond(model: "gpt-4o-mini", input: "Hi")
            #expect(response.cost == Self.price(simulator.calls.last!.usage, "gpt-4o-mini", .openai) && !response.text.isEmpty)
            let vectors = try await spend.openAI(apiKey: "k", baseURL: url).embeddings(model: "text-embedding-3-small", input: ["a", "b"])
            #expect(vectors.vectors.count == 2 && vectors.cost == Self.price(simulator.calls.last!.usage, "text-embedding-3-small", .openai))
            #expect(spend.spent == claude.cost + gemini.cost + response.cost + vectors.cost)
        }
    }

    @Test("an unpriced model is refused before anything is sent; record() charges calls made elsewhere")
    func unpricedAndRecord() async throws {
        try await withSimulator { simulator, url in
            let spend = SpendwallClient(budget: .dollars(1))
            let error = await #expect(throws: SpendwallError.self) {
                try await spend.openAI(apiKey: "k", baseURL: url).chat(model: "no-such-model-x", messages: [.user("hi")])
            }
            #expect(error?.code == .modelNotPriced && simulator.calls.isEmpty)
            let known = try await spend.record(model: "gpt-4o-mini", inputTokens: 1_000, outputTokens: 500)
            #expect(known == Self.price(TokenUsage(input: 1_000, output: 500), "gpt-4o-mini", .openai))
            let custom = try await spend.record(model: "in-house-llm", inputTokens: 1_000_000, outputTokens: 1_000_000, inputPerMillion: "0.10", outputPerMillion: "0.30")
            #expect(custom == .cents(40))
            await #expect(throws: SpendwallError.self) { try await spend.record(model: "in-house-llm", inputTokens: 1, outputTokens: 1) }
            #expect(spend.spent == known + custom)
        }
    }
}
