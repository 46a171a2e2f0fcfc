import SpendwallCore

extension PerMillionPrice {
    /// Parses a price in a price file or override, refusing it with a message naming `model` and
    /// `field`.
    static func picodollarsPerToken(_ text: String, model: String, field: String) throws -> Int64 {
        do {
            return try picodollarsPerToken(text)
        } catch {
            throw CatalogError(
                .invalidPrice,
                "\(model): \(field) \(error.reason); write US dollars per million tokens as a plain decimal such as \"2.50\"",
                model: model, field: field
            )
        }
    }
}
