/// A dated, versioned set of model prices with exact name resolution.
///
/// Resolution never guesses: a name resolves only to an entry with that exact name, after
/// removing a provider prefix the caller may have added (`openai/gpt-4o`, `models/gemini-2.5-pro`)
/// or adding the one the data uses (`gemini/…`). A dated snapshot such as `gpt-4o-2024-08-06`
/// resolves to its own entry, never to `gpt-4o`.
public struct PriceCatalog: Sendable {
    /// Where the data came from, e.g. `litellm 1.109.1 (sha256 …)`, plus `+ overrides` when the
    /// operator priced models.
    public var version: String
    /// Entries by catalog key.
    public private(set) var entries: [String: ModelPrice]

    public init(version: String, entries: [String: ModelPrice]) {
        self.version = version
        self.entries = entries
    }

    /// Adds or replaces operator-priced models. They win over the bundled data.
    public mutating func apply(overrides: [ModelPrice], label: String = "overrides") {
        guard !overrides.isEmpty else { return }
        for price in overrides { entries[price.name] = price }
        version += " + \(label)"
    }

    /// Finds the price for `model` as sent by a client of `provider`'s API.
    public func resolve(model: String, provider: ProviderKind) -> ModelPrice? {
        for candidate in Self.candidateKeys(for: model, provider: provider) {
            if let price = entries[candidate], price.provider == provider { return price }
        }
        return nil
    }

    /// The exact keys tried, in order, for a model name.
    static func candidateKeys(for model: String, provider: ProviderKind) -> [String] {
        var name = Substring(model)
        if name.hasPrefix("models/") { name = name.dropFirst("models/".count) }
        let prefix = provider.rawValue + "/"
        if name.hasPrefix(prefix) { name = name.dropFirst(prefix.count) }
        let bare = String(name)
        return [bare, prefix + bare]
    }

    /// Models billed by `provider` in the given modes, sorted by name.
    public func models(provider: ProviderKind, modes: Set<ModelMode>) -> [ModelPrice] {
        entries.values.filter { $0.provider == provider && modes.contains($0.mode) }.sorted { $0.name < $1.name }
    }

    /// The client-facing name of an entry (without the data's provider prefix).
    public static func publicName(of price: ModelPrice) -> String {
        let prefix = price.provider.rawValue + "/"
        return price.name.hasPrefix(prefix) ? String(price.name.dropFirst(prefix.count)) : price.name
    }
}
