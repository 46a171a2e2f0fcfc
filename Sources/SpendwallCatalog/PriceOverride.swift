import SpendwallCore

/// How an operator prices a model in the configuration file, in human units: US dollars per
/// million tokens, written as decimal strings so the conversion is exact.
///
/// ```yaml
/// prices:
///   - model: my-finetune
///     provider: openai
///     mode: chat                  # optional, default chat
///     input_per_million: "0.50"   # → 500_000 pico-dollars per token
///     output_per_million: "1.50"
///     cached_input_per_million: "0.25"
///     cache_write_per_million: "0.625"           # 5-minute cache writes
///     extended_cache_write_per_million: "1.00"   # 1-hour cache writes (Anthropic)
///     audio_input_per_million: "10.00"   # audio input; unset bills it as input
///     audio_output_per_million: "20.00"  # audio output; unset bills it as output
///     max_output_tokens: 16384
///     priority:                   # optional: the priority processing tier (OpenAI, Gemini)
///       input_per_million: "0.85"
///       output_per_million: "2.55"
///       cached_input_per_million: "0.425"   # each unset rate is the standard one
///       audio_input_per_million: "18.00"
///     flex:                       # optional: the flex tier, the same fields
///       input_per_million: "0.25"
/// ```
///
/// In YAML a price may be left unquoted (`input_per_million: 0.50`): Yams hands the scalar's
/// text over unchanged. In JSON it must be a string; a JSON number is refused rather than read
/// through floating point.
///
/// Decoding validates the whole override and throws `CatalogError` (`invalid_price`,
/// `invalid_limit`, `unsupported_model`, `missing_field`) with a message naming the model and
/// field. An override replaces the catalog entry with the same key and, being tried first when
/// its key is the bare name, wins over the bundled `gemini/…` keys too.
public struct PriceOverride: Sendable, Hashable, Codable {
    /// The model name clients send, e.g. `my-finetune` or `gpt-4o`.
    public var model: String
    /// The provider that bills it.
    public var provider: ProviderKind
    /// The endpoint family; defaults to chat.
    public var mode: ModelMode
    /// Uncached input, US dollars per million tokens, e.g. `"2.50"`.
    public var inputPerMillion: String
    /// Output, US dollars per million tokens.
    public var outputPerMillion: String
    /// Cache reads; unset bills them as input.
    public var cachedInputPerMillion: String?
    /// Cache writes; unset bills them as input.
    public var cacheWritePerMillion: String?
    /// Writes to the longer-lived (Anthropic 1-hour) cache; unset bills them as cache writes.
    public var extendedCacheWritePerMillion: String?
    /// Reasoning tokens; unset bills them as output.
    public var reasoningPerMillion: String?
    /// Audio input tokens; unset bills them as input.
    public var audioInputPerMillion: String?
    /// Audio output tokens; unset bills them as output.
    public var audioOutputPerMillion: String?
    /// Rates of the priority processing tier; nil when the model has none.
    public var priority: TierPrices?
    /// Rates of the flex processing tier; nil when the model has none.
    public var flex: TierPrices?
    /// Largest input the model accepts.
    public var maxInputTokens: Int64?
    /// Largest output the model produces.
    public var maxOutputTokens: Int64?

    /// Creates an override. Call `makeModelPrice()` to validate it.
    public init(
        model: String,
        provider: ProviderKind,
        mode: ModelMode = .chat,
        inputPerMillion: String,
        outputPerMillion: String,
        cachedInputPerMillion: String? = nil,
        cacheWritePerMillion: String? = nil,
        extendedCacheWritePerMillion: String? = nil,
        reasoningPerMillion: String? = nil,
        audioInputPerMillion: String? = nil,
        audioOutputPerMillion: String? = nil,
        priority: TierPrices? = nil,
        flex: TierPrices? = nil,
        maxInputTokens: Int64? = nil,
        maxOutputTokens: Int64? = nil
    ) {
        self.model = model
        self.provider = provider
        self.mode = mode
        self.inputPerMillion = inputPerMillion
        self.outputPerMillion = outputPerMillion
        self.cachedInputPerMillion = cachedInputPerMillion
        self.cacheWritePerMillion = cacheWritePerMillion
        self.extendedCacheWritePerMillion = extendedCacheWritePerMillion
        self.reasoningPerMillion = reasoningPerMillion
        self.audioInputPerMillion = audioInputPerMillion
        self.audioOutputPerMillion = audioOutputPerMillion
        self.priority = priority
        self.flex = flex
        self.maxInputTokens = maxInputTokens
        self.maxOutputTokens = maxOutputTokens
    }

    enum CodingKeys: String, CodingKey {
        case model, provider, mode
        case inputPerMillion = "input_per_million"
        case outputPerMillion = "output_per_million"
        case cachedInputPerMillion = "cached_input_per_million"
        case cacheWritePerMillion = "cache_write_per_million"
        case extendedCacheWritePerMillion = "extended_cache_write_per_million"
        case reasoningPerMillion = "reasoning_per_million"
        case audioInputPerMillion = "audio_input_per_million"
        case audioOutputPerMillion = "audio_output_per_million"
        case priority, flex
        case maxInputTokens = "max_input_tokens"
        case maxOutputTokens = "max_output_tokens"
    }

    /// Decodes and validates an override.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let model = (try? container.decodeIfPresent(String.self, forKey: .model)) ?? nil
        guard let model, !model.allSatisfy(\.isWhitespace) else {
            throw CatalogError(.missingField, "a price override needs a model name", field: CodingKeys.model.rawValue)
        }
        func text(_ key: CodingKeys) throws -> String? {
            guard container.contains(key) else { return nil }
            do {
                return try container.decodeIfPresent(String.self, forKey: key)
            } catch {
                throw CatalogError(
                    .invalidPrice,
                    "\(model): \(key.rawValue) must be a quoted decimal string such as \"2.50\"",
                    model: model, field: key.rawValue
                )
            }
        }
        func required(_ key: CodingKeys) throws -> String {
            guard let value = try text(key) else {
                throw CatalogError(.missingField, "\(model): \(key.rawValue) is required", model: model, field: key.rawValue)
            }
            return value
        }
        func tokens(_ key: CodingKeys) throws -> Int64? {
            do {
                return try container.decodeIfPresent(Int64.self, forKey: key)
            } catch {
                throw CatalogError(.invalidLimit, "\(model): \(key.rawValue) must be a whole number of tokens", model: model, field: key.rawValue)
            }
        }

        let providerName = try required(.provider)
        guard let provider = ProviderKind(rawValue: providerName) else {
            let known = ProviderKind.allCases.map(\.rawValue).joined(separator: ", ")
            throw CatalogError(.unsupportedModel, "\(model): provider \"\(providerName)\" is not one of \(known)", model: model, field: "provider")
        }
        var mode = ModelMode.chat
        if let modeName = try text(.mode) {
            guard let parsed = ModelMode(rawValue: modeName) else {
                throw CatalogError(
                    .unsupportedModel,
                    "\(model): mode \"\(modeName)\" is not one of chat, responses, embedding, completion",
                    model: model, field: "mode"
                )
            }
            mode = parsed
        }
        self.init(
            model: model,
            provider: provider,
            mode: mode,
            inputPerMillion: try required(.inputPerMillion),
            outputPerMillion: try required(.outputPerMillion),
            cachedInputPerMillion: try text(.cachedInputPerMillion),
            cacheWritePerMillion: try text(.cacheWritePerMillion),
            extendedCacheWritePerMillion: try text(.extendedCacheWritePerMillion),
            reasoningPerMillion: try text(.reasoningPerMillion),
            audioInputPerMillion: try text(.audioInputPerMillion),
            audioOutputPerMillion: try text(.audioOutputPerMillion),
            maxInputTokens: try tokens(.maxInputTokens),
            maxOutputTokens: try tokens(.maxOutputTokens)
        )
        for key in [CodingKeys.priority, .flex] where container.contains(key) {
            do {
                let prices = try container.decodeIfPresent(TierPrices.self, forKey: key)
                if key == .priority { priority = prices } else { flex = prices }
            } catch {
                throw CatalogError(
                    .invalidPrice,
                    "\(model): \(key.rawValue) takes input_per_million, output_per_million, cached_input_per_million and audio_input_per_million as quoted decimal strings",
                    model: model, field: key.rawValue
                )
            }
        }
        _ = try makeModelPrice()
    }

    /// The integer price this override stands for. Throws `CatalogError` for a price that is not
    /// an exact, non-negative decimal with at most six places, or a negative token limit.
    public func makeModelPrice() throws -> ModelPrice {
        guard !model.allSatisfy(\.isWhitespace) else {
            throw CatalogError(.missingField, "a price override needs a model name", field: CodingKeys.model.rawValue)
        }
        func price(_ text: String?, _ key: CodingKeys) throws -> Int64? {
            guard let text else { return nil }
            return try PerMillionPrice.picodollarsPerToken(text, model: model, field: key.rawValue)
        }
        func limit(_ value: Int64?, _ key: CodingKeys) throws -> Int64? {
            guard let value else { return nil }
            guard value >= 0 else {
                throw CatalogError(.invalidLimit, "\(model): \(key.rawValue) is negative (\(value))", model: model, field: key.rawValue)
            }
            return value
        }
        let rates = TokenRates(
            input: try PerMillionPrice.picodollarsPerToken(inputPerMillion, model: model, field: CodingKeys.inputPerMillion.rawValue),
            output: try PerMillionPrice.picodollarsPerToken(outputPerMillion, model: model, field: CodingKeys.outputPerMillion.rawValue),
            cachedInput: try price(cachedInputPerMillion, .cachedInputPerMillion),
            cacheWrite: try price(cacheWritePerMillion, .cacheWritePerMillion),
            extendedCacheWrite: try price(extendedCacheWritePerMillion, .extendedCacheWritePerMillion),
            reasoning: try price(reasoningPerMillion, .reasoningPerMillion),
            audioInput: try price(audioInputPerMillion, .audioInputPerMillion),
            audioOutput: try price(audioOutputPerMillion, .audioOutputPerMillion)
        )
        func tier(_ prices: TierPrices?, _ key: CodingKeys) throws -> TokenRates? {
            guard let prices else { return nil }
            func price(_ text: String?, _ field: TierPrices.CodingKeys) throws -> Int64? {
                guard let text else { return nil }
                return try PerMillionPrice.picodollarsPerToken(text, model: model, field: key.rawValue + "." + field.rawValue)
            }
            return rates.tier(
                input: try price(prices.inputPerMillion, .inputPerMillion),
                output: try price(prices.outputPerMillion, .outputPerMillion),
                cachedInput: try price(prices.cachedInputPerMillion, .cachedInputPerMillion),
                audioInput: try price(prices.audioInputPerMillion, .audioInputPerMillion)
            )
        }
        return ModelPrice(
            name: model,
            provider: provider,
            mode: mode,
            rates: rates,
            priorityRates: try tier(priority, .priority),
            flexRates: try tier(flex, .flex),
            maxInputTokens: try limit(maxInputTokens, .maxInputTokens),
            maxOutputTokens: try limit(maxOutputTokens, .maxOutputTokens)
        )
    }
}

extension PriceOverride {
    /// A processing tier's rates in an override, US dollars per million tokens; each unset rate
    /// is the override's standard one.
    public struct TierPrices: Sendable, Hashable, Codable {
        public var inputPerMillion: String?
        public var outputPerMillion: String?
        public var cachedInputPerMillion: String?
        public var audioInputPerMillion: String?

        public init(inputPerMillion: String? = nil, outputPerMillion: String? = nil, cachedInputPerMillion: String? = nil, audioInputPerMillion: String? = nil) {
            self.inputPerMillion = inputPerMillion
            self.outputPerMillion = outputPerMillion
            self.cachedInputPerMillion = cachedInputPerMillion
            self.audioInputPerMillion = audioInputPerMillion
        }

        enum CodingKeys: String, CodingKey {
            case inputPerMillion = "input_per_million"
            case outputPerMillion = "output_per_million"
            case cachedInputPerMillion = "cached_input_per_million"
            case audioInputPerMillion = "audio_input_per_million"
        }
    }
}
