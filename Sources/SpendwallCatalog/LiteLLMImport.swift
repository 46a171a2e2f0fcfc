import SpendwallCore

/// The prices read from a LiteLLM price file, with a summary of what was skipped.
public struct LiteLLMImport: Sendable {
    /// Imported prices, sorted by catalog key.
    public var prices: [ModelPrice]
    /// Counts of what was imported and skipped.
    public var summary: ImportSummary

    /// Creates an import result.
    public init(prices: [ModelPrice], summary: ImportSummary) {
        self.prices = prices
        self.summary = summary
    }

    /// A catalog of the imported prices under `version`, e.g. `litellm 1.81.0 (sha256 …)`.
    public func makeCatalog(version: String) -> PriceCatalog {
        var entries: [String: ModelPrice] = [:]
        for price in prices { entries[price.name] = price }
        return PriceCatalog(version: version, entries: entries)
    }
}
