import SpendwallCore

/// The API model the self-hosted engine is compared with, and its per-token rates.
public struct ComparePrice: Sendable, Hashable {
    /// The model's catalog name, e.g. `gpt-4o-mini`.
    public var model: String
    /// Its rates in pico-dollars per token; only ``TokenRates/input`` and ``TokenRates/output`` are used.
    public var rates: TokenRates

    /// Creates a comparison price.
    public init(model: String, rates: TokenRates) {
        self.model = model
        self.rates = rates
    }

    /// Creates a comparison price from a catalog entry.
    public init(_ price: ModelPrice) {
        self.init(model: price.name, rates: price.rates)
    }
}
