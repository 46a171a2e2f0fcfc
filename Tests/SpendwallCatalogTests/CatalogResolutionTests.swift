import SpendwallCatalog
import SpendwallCore
import Testing

@Suite("Resolving client model names against the bundled catalog")
struct CatalogResolutionTests {
    let catalog: PriceCatalog

    init() throws {
        catalog = try BundledCatalog.load()
    }

    @Test(arguments: [
        ("gpt-4o", ProviderKind.openai, "gpt-4o"),
        ("openai/gpt-4o", .openai, "gpt-4o"),
        ("gpt-4o-mini", .openai, "gpt-4o-mini"),
        ("gpt-4o-2024-08-06", .openai, "gpt-4o-2024-08-06"),
        ("gemini-2.5-pro", .gemini, "gemini/gemini-2.5-pro"),
        ("models/gemini-2.5-pro", .gemini, "gemini/gemini-2.5-pro"),
        ("gemini/gemini-2.5-pro", .gemini, "gemini/gemini-2.5-pro"),
        ("claude-sonnet-4-5", .anthropic, "claude-sonnet-4-5"),
        ("anthropic/claude-sonnet-4-5", .anthropic, "claude-sonnet-4-5"),
        // litellm 1.109.1 keys a few Gemini models without the `gemini/` prefix.
        ("gemini-flash-latest", .gemini, "gemini-flash-latest"),
        ("models/gemini-flash-latest", .gemini, "gemini-flash-latest"),
        ("gemini/gemini-flash-latest", .gemini, "gemini-flash-latest"),
    ])
    func resolvesExactly(model: String, provider: ProviderKind, key: String) {
        #expect(catalog.resolve(model: model, provider: provider)?.name == key)
    }

    @Test(arguments: [
        ("gpt-4o-unknown", ProviderKind.openai),
        ("gpt-4", .anthropic),
        ("GPT-4O", .openai),
        ("gpt-4o ", .openai),
        ("gemini-2.5-pro", .openai),
        ("models/gemini-2.5-pro", .openai),
        ("gemini/gemini-2.5-pro", .openai),
        ("gemini-flash-latest", .openai),
        ("claude-sonnet-4-5", .openai),
        ("gpt-4o", .gemini),
        ("gemini-2.5-pro-latest-unknown", .gemini),
        ("", .openai),
    ])
    func neverGuesses(model: String, provider: ProviderKind) {
        #expect(catalog.resolve(model: model, provider: provider) == nil)
    }

    @Test func overridesWinAndMarkTheVersion() throws {
        var catalog = catalog
        let override = try PriceOverride(
            model: "gemini-2.5-pro", provider: .gemini, inputPerMillion: "1", outputPerMillion: "2"
        ).makeModelPrice()
        let custom = try PriceOverride(
            model: "my-finetune", provider: .openai, inputPerMillion: "0.50", outputPerMillion: "1.50"
        ).makeModelPrice()
        catalog.apply(overrides: [override, custom])
        #expect(catalog.version == "litellm 1.109.1 (sha256 8f8060d8ce7a) + overrides")
        #expect(catalog.resolve(model: "models/gemini-2.5-pro", provider: .gemini)?.rates.input == 1_000_000)
        #expect(catalog.resolve(model: "my-finetune", provider: .openai)?.rates.output == 1_500_000)
        #expect(catalog.resolve(model: "my-finetune", provider: .anthropic) == nil)
    }
}
