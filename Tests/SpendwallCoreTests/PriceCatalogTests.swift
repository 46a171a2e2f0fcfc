import SpendwallCore
import Testing

@Suite("Price catalog resolution")
struct PriceCatalogTests {
    static func price(_ name: String, _ provider: ProviderKind, mode: ModelMode = .chat, input: Int64 = 1) -> ModelPrice {
        ModelPrice(name: name, provider: provider, mode: mode, rates: TokenRates(input: input, output: 1))
    }

    static let catalog = PriceCatalog(version: "test 1", entries: Dictionary(uniqueKeysWithValues: [
        price("gpt-4o", .openai, input: 2_500_000),
        price("gpt-4o-2024-08-06", .openai, input: 2_500_001),
        price("gpt-4o-mini", .openai),
        price("text-embedding-3-small", .openai, mode: .embedding),
        price("claude-sonnet-4-5", .anthropic),
        price("gemini/gemini-2.5-pro", .gemini),
        price("gemini/text-embedding-004", .gemini, mode: .embedding),
    ].map { ($0.name, $0) }))

    @Test(arguments: [
        ("gpt-4o", ProviderKind.openai, "gpt-4o"),
        ("openai/gpt-4o", .openai, "gpt-4o"),
        ("models/gpt-4o", .openai, "gpt-4o"),
        ("gpt-4o-2024-08-06", .openai, "gpt-4o-2024-08-06"),
        ("gemini-2.5-pro", .gemini, "gemini/gemini-2.5-pro"),
        ("models/gemini-2.5-pro", .gemini, "gemini/gemini-2.5-pro"),
        ("gemini/gemini-2.5-pro", .gemini, "gemini/gemini-2.5-pro"),
        ("claude-sonnet-4-5", .anthropic, "claude-sonnet-4-5"),
    ])
    func resolvesExactNames(model: String, provider: ProviderKind, key: String) {
        #expect(Self.catalog.resolve(model: model, provider: provider)?.name == key)
    }

    @Test(arguments: [
        ("gpt-4o-unknown", ProviderKind.openai),
        ("gpt-4o-2024-11-20", .openai),
        ("gpt", .openai),
        ("gpt-4o-mini-2024-07-18", .openai),
        ("anthropic/gpt-4o", .openai),
        ("gemini-2.5-pro", .openai),
        ("gemini/gemini-2.5-pro", .openai),
        ("gpt-4o", .anthropic),
        ("claude-sonnet-4-5", .gemini),
        ("gemini-2.5", .gemini),
    ])
    func neverGuesses(model: String, provider: ProviderKind) {
        #expect(Self.catalog.resolve(model: model, provider: provider) == nil)
    }

    @Test func overridesReplaceEntriesAndAreLabelled() {
        var catalog = Self.catalog
        catalog.apply(overrides: [])
        #expect(catalog.version == "test 1")
        catalog.apply(overrides: [Self.price("gpt-4o", .openai, input: 7), Self.price("gemini-2.5-pro", .gemini, input: 8)])
        #expect(catalog.version == "test 1 + overrides")
        #expect(catalog.resolve(model: "gpt-4o", provider: .openai)?.rates.input == 7)
        // A bare override is tried before the data's prefixed key.
        #expect(catalog.resolve(model: "models/gemini-2.5-pro", provider: .gemini)?.rates.input == 8)
        catalog.apply(overrides: [Self.price("x", .anthropic)], label: "team prices")
        #expect(catalog.version == "test 1 + overrides + team prices")
    }

    @Test func listsModelsByProviderAndMode() {
        #expect(Self.catalog.models(provider: .openai, modes: [.chat]).map(\.name)
            == ["gpt-4o", "gpt-4o-2024-08-06", "gpt-4o-mini"])
        #expect(Self.catalog.models(provider: .gemini, modes: [.embedding]).map(\.name) == ["gemini/text-embedding-004"])
        #expect(Self.catalog.models(provider: .anthropic, modes: [.embedding]).isEmpty)
    }

    @Test func publicNamesDropTheDataPrefix() throws {
        let gemini = try #require(Self.catalog.entries["gemini/gemini-2.5-pro"])
        #expect(PriceCatalog.publicName(of: gemini) == "gemini-2.5-pro")
        let openai = try #require(Self.catalog.entries["gpt-4o"])
        #expect(PriceCatalog.publicName(of: openai) == "gpt-4o")
    }
}
