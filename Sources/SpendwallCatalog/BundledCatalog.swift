import Foundation
import SpendwallCore

/// The price catalog that ships inside Spendwall: OpenAI, Anthropic and Gemini models taken
/// from a pinned LiteLLM release (see `THIRD_PARTY_NOTICES.md` and
/// `scripts/convert-litellm-prices.py`).
///
/// ```swift
/// let catalog = try BundledCatalog.load()
/// catalog.version                                   // "litellm 1.109.1 (sha256 8f8060d8ce7a)"
/// catalog.resolve(model: "gpt-4o", provider: .openai)?.rates.input   // 2_500_000
/// ```
///
/// The resource lives in the SwiftPM resource bundle `spendwall_SpendwallCatalog.resources`,
/// which must be shipped next to the executable.
public enum BundledCatalog {
    /// The bundled resource's shape: the source record and one `LiteLLMEntry` per model.
    struct Document: Decodable {
        var source: CatalogSource
        var models: [String: LiteLLMEntry]
    }

    /// Loads and validates the bundled prices.
    public static func load() throws -> PriceCatalog {
        let document = try loadDocument()
        return try makeCatalog(document)
    }

    /// The provenance of the bundled prices.
    public static func source() throws -> CatalogSource {
        try loadDocument().source
    }

    static func loadDocument() throws -> Document {
        guard let url = Bundle.module.url(forResource: "litellm-prices", withExtension: "json") else {
            throw CatalogError(.missingResource, "litellm-prices.json is missing from the SpendwallCatalog resource bundle")
        }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw CatalogError(.missingResource, "cannot read the bundled litellm-prices.json: \(error.localizedDescription)")
        }
        return try decodeDocument(data)
    }

    static func decodeDocument(_ data: Data) throws -> Document {
        do {
            return try JSONDecoder().decode(Document.self, from: data)
        } catch {
            throw CatalogError(.malformedFile, "the bundled price data is not valid: \(error)")
        }
    }

    /// Applies the LiteLLM rules to every bundled entry. An entry the rules would skip means the
    /// resource and the rules drifted apart, which is an error rather than a silent gap.
    static func makeCatalog(_ document: Document) throws -> PriceCatalog {
        var entries: [String: ModelPrice] = [:]
        for (name, entry) in document.models {
            switch try LiteLLMPriceRules.makeModelPrice(name: name, entry: entry) {
            case .priced(let price):
                entries[name] = price
            case .skipped(let reason):
                throw CatalogError(.malformedFile, "bundled entry \(name) is not priceable (\(reason.rawValue))", model: name)
            }
        }
        return PriceCatalog(version: document.source.versionLabel, entries: entries)
    }
}
