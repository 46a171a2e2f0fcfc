/// One model's prices as LiteLLM states them, already in integer pico-dollars per token.
///
/// This is the single shape both inputs are brought into before `LiteLLMPriceRules` turns it
/// into a `ModelPrice`: the bundled resource *is* this type encoded as JSON (one object per
/// model, see `scripts/convert-litellm-prices.py`), and `LiteLLMImporter` builds it from the
/// upstream file's fields. Fields the data does not state stay `nil`; what a missing field means
/// is decided by the rules, never here.
struct LiteLLMEntry: Sendable, Hashable, Codable {
    /// Higher rates above an input-token threshold, as stated in the data.
    struct Tier: Sendable, Hashable, Codable {
        /// The tier applies when total input tokens are strictly greater than this.
        var above: Int64
        var input: Int64?
        var output: Int64?
        var cachedInput: Int64?
        var cacheWrite: Int64?
        var extendedCacheWrite: Int64?
        var reasoning: Int64?
        var audioInput: Int64?
        var audioOutput: Int64?

        enum CodingKeys: String, CodingKey {
            case above, input, output, reasoning
            case cachedInput = "cached_input"
            case cacheWrite = "cache_write"
            case extendedCacheWrite = "extended_cache_write"
            case audioInput = "audio_input"
            case audioOutput = "audio_output"
        }
    }

    /// The rates of an OpenAI processing tier (`…_priority`, `…_flex` fields), as stated.
    struct ServiceTierPrices: Sendable, Hashable, Codable {
        var input: Int64?
        var output: Int64?
        var cachedInput: Int64?
        var audioInput: Int64?
        /// The tier's own long-context rates (`…_above_200k_tokens_priority`).
        var tiers: [Tier]?

        enum CodingKeys: String, CodingKey {
            case input, output, tiers
            case cachedInput = "cached_input"
            case audioInput = "audio_input"
        }
    }

    /// LiteLLM's `litellm_provider` (`openai`, `text-completion-openai`, …) or, in the bundled
    /// file, Spendwall's provider name.
    var provider: String
    /// LiteLLM's `mode`.
    var mode: String
    var input: Int64?
    var output: Int64?
    var cachedInput: Int64?
    /// Cache writes to the default (Anthropic: 5-minute) cache.
    var cacheWrite: Int64?
    /// Cache writes to Anthropic's 1-hour cache (`cache_creation_input_token_cost_above_1hr`).
    var extendedCacheWrite: Int64?
    var reasoning: Int64?
    /// `input_cost_per_audio_token`.
    var audioInput: Int64?
    /// `output_cost_per_audio_token`.
    var audioOutput: Int64?
    var maxInput: Int64?
    var maxOutput: Int64?
    var tiers: [Tier]?
    /// `input_cost_per_token_priority`, `output_cost_per_token_priority`, `cache_read_input_token_cost_priority`.
    var priority: ServiceTierPrices?
    /// The same fields suffixed `_flex`.
    var flex: ServiceTierPrices?

    enum CodingKeys: String, CodingKey {
        case provider, mode, input, output, reasoning, tiers, priority, flex
        case audioInput = "audio_input"
        case audioOutput = "audio_output"
        case cachedInput = "cached_input"
        case cacheWrite = "cache_write"
        case extendedCacheWrite = "extended_cache_write"
        case maxInput = "max_input"
        case maxOutput = "max_output"
    }
}
