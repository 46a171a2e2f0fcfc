/// Tokens a request consumed, split into disjoint billing kinds.
///
/// The kinds never overlap: `input` excludes cached and cache-write tokens, `output` excludes
/// reasoning tokens. Provider adapters normalise their usage objects into this shape (OpenAI's
/// `prompt_tokens` includes cached tokens; Anthropic's `input_tokens` does not).
public struct TokenUsage: Sendable, Hashable, Codable {
    /// Uncached input tokens.
    public var input: Int64
    /// Input tokens read from the provider's prompt cache.
    public var cachedInput: Int64
    /// Input tokens written to the provider's prompt cache.
    public var cacheWrite: Int64
    /// Visible output tokens (reasoning excluded).
    public var output: Int64
    /// Hidden reasoning ("thinking") tokens.
    public var reasoning: Int64

    public init(input: Int64 = 0, cachedInput: Int64 = 0, cacheWrite: Int64 = 0, output: Int64 = 0, reasoning: Int64 = 0) {
        self.input = input
        self.cachedInput = cachedInput
        self.cacheWrite = cacheWrite
        self.output = output
        self.reasoning = reasoning
    }

    /// No tokens.
    public static let zero = TokenUsage()

    /// All input-side tokens: uncached, cached and cache-write.
    public var totalInput: Int64 { input.saturatingAdding(cachedInput).saturatingAdding(cacheWrite) }

    /// All output-side tokens: visible and reasoning.
    public var totalOutput: Int64 { output.saturatingAdding(reasoning) }

    /// True when no count is negative.
    public var isValid: Bool { input >= 0 && cachedInput >= 0 && cacheWrite >= 0 && output >= 0 && reasoning >= 0 }
}
