/// Tokens a request consumed, split into disjoint billing kinds.
///
/// The kinds never overlap: `input` excludes cached and cache-write tokens, `output` excludes
/// reasoning tokens, and the audio kinds are apart from both. Provider adapters normalise their usage objects into this shape (OpenAI's
/// `prompt_tokens` includes cached tokens; Anthropic's `input_tokens` does not).
public struct TokenUsage: Sendable, Hashable, Codable {
    /// Uncached input tokens.
    public var input: Int64
    /// Input tokens read from the provider's prompt cache.
    public var cachedInput: Int64
    /// Input tokens written to the provider's prompt cache (the default, short-lived cache:
    /// Anthropic's 5-minute one).
    public var cacheWrite: Int64
    /// Input tokens written to a longer-lived cache (Anthropic's 1-hour cache), which is billed
    /// at its own, higher rate.
    public var extendedCacheWrite: Int64
    /// Visible output tokens (reasoning excluded).
    public var output: Int64
    /// Hidden reasoning ("thinking") tokens.
    public var reasoning: Int64
    /// Uncached audio input tokens (OpenAI audio models, Gemini audio parts), billed at their own rate.
    public var audioInput: Int64
    /// Generated audio tokens (OpenAI audio models, Gemini speech), billed at their own rate.
    public var audioOutput: Int64

    public init(
        input: Int64 = 0, cachedInput: Int64 = 0, cacheWrite: Int64 = 0, extendedCacheWrite: Int64 = 0, output: Int64 = 0,
        reasoning: Int64 = 0, audioInput: Int64 = 0, audioOutput: Int64 = 0
    ) {
        self.input = input
        self.cachedInput = cachedInput
        self.cacheWrite = cacheWrite
        self.extendedCacheWrite = extendedCacheWrite
        self.output = output
        self.reasoning = reasoning
        self.audioInput = audioInput
        self.audioOutput = audioOutput
    }

    /// No tokens.
    public static let zero = TokenUsage()

    /// All input-side tokens: uncached, cached, both kinds of cache write, and audio.
    public var totalInput: Int64 {
        input.saturatingAdding(cachedInput).saturatingAdding(cacheWrite).saturatingAdding(extendedCacheWrite).saturatingAdding(audioInput)
    }

    /// All output-side tokens: visible, reasoning and audio.
    public var totalOutput: Int64 { output.saturatingAdding(reasoning).saturatingAdding(audioOutput) }

    /// True when no count is negative.
    public var isValid: Bool {
        input >= 0 && cachedInput >= 0 && cacheWrite >= 0 && extendedCacheWrite >= 0 && output >= 0 && reasoning >= 0
            && audioInput >= 0 && audioOutput >= 0
    }

    enum CodingKeys: String, CodingKey {
        case input, cachedInput, cacheWrite, extendedCacheWrite, output, reasoning, audioInput, audioOutput
    }

    /// Decodes a usage; absent kinds are zero, so documents written before a kind existed still read.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        input = try container.decodeIfPresent(Int64.self, forKey: .input) ?? 0
        cachedInput = try container.decodeIfPresent(Int64.self, forKey: .cachedInput) ?? 0
        cacheWrite = try container.decodeIfPresent(Int64.self, forKey: .cacheWrite) ?? 0
        extendedCacheWrite = try container.decodeIfPresent(Int64.self, forKey: .extendedCacheWrite) ?? 0
        output = try container.decodeIfPresent(Int64.self, forKey: .output) ?? 0
        reasoning = try container.decodeIfPresent(Int64.self, forKey: .reasoning) ?? 0
        audioInput = try container.decodeIfPresent(Int64.self, forKey: .audioInput) ?? 0
        audioOutput = try container.decodeIfPresent(Int64.self, forKey: .audioOutput) ?? 0
    }
}
