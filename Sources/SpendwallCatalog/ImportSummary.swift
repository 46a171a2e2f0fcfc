/// What an import took and left, for `spendwall prices import` to print.
public struct ImportSummary: Sendable, Hashable, CustomStringConvertible {
    /// Models imported.
    public var importedCount: Int
    /// Entries skipped, by reason.
    public var skippedByReason: [SkipReason: Int]
    /// Names of skipped entries of a supported provider and mode that have no per-token
    /// prices, sorted; these are the ones an operator may want to price by hand.
    public var unpricedModels: [String]
    /// Prices that were rounded by more than float noise to a whole pico-dollar per token.
    public var roundedPriceCount: Int

    /// Creates a summary.
    public init(importedCount: Int, skippedByReason: [SkipReason: Int], unpricedModels: [String], roundedPriceCount: Int) {
        self.importedCount = importedCount
        self.skippedByReason = skippedByReason
        self.unpricedModels = unpricedModels
        self.roundedPriceCount = roundedPriceCount
    }

    /// All entries skipped.
    public var skippedCount: Int { skippedByReason.values.reduce(0, +) }

    /// E.g. `imported 179 models; skipped 1580 (other_provider 1527, unsupported_mode 51, no_token_prices 2)`.
    public var description: String {
        let reasons = SkipReason.allCases.compactMap { reason in
            skippedByReason[reason].map { "\(reason.rawValue) \($0)" }
        }
        var text = "imported \(importedCount) models; skipped \(skippedCount)"
        if !reasons.isEmpty { text += " (" + reasons.joined(separator: ", ") + ")" }
        if roundedPriceCount > 0 { text += "; \(roundedPriceCount) prices rounded to a whole pico-dollar" }
        return text
    }
}
