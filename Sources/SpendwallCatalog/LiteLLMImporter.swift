import Foundation
import SpendwallCore

/// Reads a price file in LiteLLM's original format (`model_prices_and_context_window.json`, as
/// an operator downloads a newer one than the bundled data) into `ModelPrice`s.
///
/// Only OpenAI, Anthropic and Gemini models in chat, responses, embedding and completion mode
/// are imported; everything else is counted as skipped. The same rules as the bundled catalog
/// apply (`LiteLLMPriceRules`), so a model imported from the file the bundled data was made
/// from gets exactly the bundled price.
///
/// ```swift
/// let result = try LiteLLMImporter().importPrices(contentsOf: URL(fileURLWithPath: path))
/// print(result.summary)   // imported 179 models; skipped 1580 (other_provider 1527, …)
/// ```
///
/// A negative, NaN, infinite or non-numeric price of an in-scope model fails the whole import
/// with `CatalogError` code `invalid_price`, naming the model and field.
public struct LiteLLMImporter: Sendable {
    /// Creates an importer.
    public init() {}

    /// Imports the file at `url`.
    public func importPrices(contentsOf url: URL) throws -> LiteLLMImport {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw CatalogError(.malformedFile, "cannot read \(url.path): \(error.localizedDescription)")
        }
        return try importPrices(from: data)
    }

    /// Imports a LiteLLM price file's bytes.
    public func importPrices(from data: Data) throws -> LiteLLMImport {
        let file: UpstreamPriceFile
        do {
            file = try JSONDecoder().decode(UpstreamPriceFile.self, from: data)
        } catch let error as CatalogError {
            throw error
        } catch {
            throw CatalogError(.malformedFile, "not a JSON price file: \(error)")
        }

        var prices: [ModelPrice] = []
        var skipped: [SkipReason: Int] = [:]
        var unpriced: [String] = []
        for (_, reason) in file.skipped { skipped[reason, default: 0] += 1 }
        for item in file.entries {
            switch try LiteLLMPriceRules.makeModelPrice(name: item.name, entry: item.entry) {
            case .priced(let price):
                prices.append(price)
            case .skipped(let reason):
                skipped[reason, default: 0] += 1
                if reason == .noTokenPrices { unpriced.append(item.name) }
            }
        }
        let summary = ImportSummary(
            importedCount: prices.count,
            skippedByReason: skipped,
            unpricedModels: unpriced.sorted(),
            roundedPriceCount: file.roundedPrices
        )
        return LiteLLMImport(prices: prices.sorted { $0.name < $1.name }, summary: summary)
    }
}
