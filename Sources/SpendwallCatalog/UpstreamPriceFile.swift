/// LiteLLM's upstream `model_prices_and_context_window.json`, decoded only as far as Spendwall
/// needs: the provider and mode of every entry, and the per-token prices and limits of the
/// entries in scope. Out-of-scope entries (including `sample_spec`, whose fields are prose) are
/// never decoded further, so their odd values cannot fail an import.
struct UpstreamPriceFile: Decodable {
    /// An entry in scope, converted to integer pico-dollars.
    struct Entry {
        var name: String
        var entry: LiteLLMEntry
    }

    /// Entries in scope, sorted by name.
    var entries: [Entry] = []
    /// Entries skipped before their prices were read, with the reason.
    var skipped: [(name: String, reason: SkipReason)] = []
    /// How many prices were rounded by more than float noise to a whole pico-dollar.
    var roundedPrices = 0

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        let file: KeyedDecodingContainer<Key>
        do {
            file = try decoder.container(keyedBy: Key.self)
        } catch {
            throw CatalogError(.malformedFile, "a LiteLLM price file is a JSON object of models")
        }
        for key in file.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) {
            let name = key.stringValue
            guard let fields = try? file.nestedContainer(keyedBy: Key.self, forKey: key) else {
                skipped.append((name, .notAnObject))
                continue
            }
            let provider = try? fields.decodeIfPresent(String.self, forKey: Key("litellm_provider"))
            let mode = try? fields.decodeIfPresent(String.self, forKey: Key("mode"))
            if let reason = LiteLLMPriceRules.skipReason(provider: provider, mode: mode) {
                skipped.append((name, reason))
                continue
            }
            entries.append(Entry(name: name, entry: try decodeEntry(name: name, fields: fields, provider: provider, mode: mode)))
        }
    }

    private mutating func decodeEntry(
        name: String, fields: KeyedDecodingContainer<Key>, provider: String?, mode: String?
    ) throws -> LiteLLMEntry {
        typealias Field = LiteLLMPriceRules.PriceField
        func price(_ field: String) throws -> Int64? {
            let key = Key(field)
            guard fields.contains(key), (try? fields.decodeNil(forKey: key)) == false else { return nil }
            guard let value = try? fields.decode(Double.self, forKey: key) else {
                throw CatalogError(.invalidPrice, "\(name): \(field) is not a number", model: name, field: field)
            }
            let converted = try LiteLLMPriceRules.picodollars(usdPerToken: value, model: name, field: field)
            if converted.rounded { roundedPrices += 1 }
            return converted.picos
        }
        func limit(_ field: String) throws -> Int64? {
            do {
                return try fields.decodeIfPresent(Int64.self, forKey: Key(field))
            } catch {
                throw CatalogError(.invalidLimit, "\(name): \(field) is not a whole token count", model: name, field: field)
            }
        }

        var entry = LiteLLMEntry(
            provider: provider ?? "",
            mode: mode ?? "",
            input: try price(Field.input.rawValue),
            output: try price(Field.output.rawValue),
            cachedInput: try price(Field.cachedInput.rawValue),
            cacheWrite: try price(Field.cacheWrite.rawValue),
            extendedCacheWrite: try price(Field.extendedCacheWrite.rawValue),
            reasoning: try price(Field.reasoning.rawValue),
            audioInput: try price(Field.audioInput.rawValue),
            audioOutput: try price(Field.audioOutput.rawValue),
            maxInput: try limit("max_input_tokens"),
            maxOutput: try limit("max_output_tokens")
        )

        // `<price field>_above_<N>k_tokens[suffix]`: long-context tiers above N × 1000 input tokens.
        func longContextTiers(suffix: String) throws -> [LiteLLMEntry.Tier]? {
            var tiers: [Int64: LiteLLMEntry.Tier] = [:]
            for key in fields.allKeys where key.stringValue.hasSuffix(suffix) {
                guard let (field, above) = Self.tierField(String(key.stringValue.dropLast(suffix.count))),
                      let value = try price(key.stringValue) else { continue }
                var tier = tiers[above] ?? LiteLLMEntry.Tier(above: above)
                switch field {
                case .input: tier.input = value
                case .output: tier.output = value
                case .cachedInput: tier.cachedInput = value
                case .cacheWrite: tier.cacheWrite = value
                case .extendedCacheWrite: tier.extendedCacheWrite = value
                case .reasoning: tier.reasoning = value
                case .audioInput: tier.audioInput = value
                case .audioOutput: tier.audioOutput = value
                }
                tiers[above] = tier
            }
            return tiers.isEmpty ? nil : tiers.keys.sorted().compactMap { tiers[$0] }
        }
        entry.tiers = try longContextTiers(suffix: "")

        // `<price field>_priority` and `_flex` (and their long-context tiers): processing tiers.
        func serviceTier(_ suffix: String) throws -> LiteLLMEntry.ServiceTierPrices? {
            let prices = LiteLLMEntry.ServiceTierPrices(
                input: try price(Field.input.rawValue + suffix),
                output: try price(Field.output.rawValue + suffix),
                cachedInput: try price(Field.cachedInput.rawValue + suffix),
                audioInput: try price(Field.audioInput.rawValue + suffix),
                tiers: try longContextTiers(suffix: suffix)
            )
            return prices == LiteLLMEntry.ServiceTierPrices() ? nil : prices
        }
        entry.priority = try serviceTier("_priority")
        entry.flex = try serviceTier("_flex")
        return entry
    }

    /// Splits `input_cost_per_token_above_200k_tokens` into `(.input, 200_000)` and
    /// `cache_creation_input_token_cost_above_1hr_above_100k_tokens` into
    /// `(.extendedCacheWrite, 100_000)` (the last `_above_` starts the threshold); nil for any
    /// other field, including per-character or per-image tiers and variants LiteLLM suffixes
    /// further (`…_above_272k_tokens_priority`).
    static func tierField(_ name: String) -> (LiteLLMPriceRules.PriceField, Int64)? {
        let suffix = "k_tokens", marker = "_above_"
        guard name.hasSuffix(suffix) else { return nil }
        let head = name.dropLast(suffix.count)
        let digits = head.reversed().prefix(while: { $0 >= "0" && $0 <= "9" })
        guard !digits.isEmpty, digits.count <= 10 else { return nil }
        let prefix = head.dropLast(digits.count)
        guard prefix.hasSuffix(marker),
              let field = LiteLLMPriceRules.PriceField(rawValue: String(prefix.dropLast(marker.count))),
              let thousands = Int64(String(digits.reversed())), thousands <= 1_000_000_000 else { return nil }
        return (field, thousands * 1_000)
    }
}

extension LiteLLMEntry.Tier {
    init(above: Int64) {
        self.init(above: above, input: nil, output: nil, cachedInput: nil, cacheWrite: nil, extendedCacheWrite: nil, reasoning: nil, audioInput: nil, audioOutput: nil)
    }
}
