import SpendwallCore

/// Anthropic Messages `usage` (response body, `message_start`, `message_delta`).
struct AnthropicUsage: Decodable, Sendable {
    var inputTokens: Int64?
    var outputTokens: Int64?
    var cacheCreationInputTokens: Int64?
    var cacheReadInputTokens: Int64?

    enum CodingKeys: String, CodingKey {
        case inputTokens = "input_tokens"
        case outputTokens = "output_tokens"
        case cacheCreationInputTokens = "cache_creation_input_tokens"
        case cacheReadInputTokens = "cache_read_input_tokens"
    }

    /// Anthropic's kinds are already disjoint: `input_tokens` excludes cache reads and writes, and
    /// thinking is billed inside `output_tokens`.
    var tokenUsage: TokenUsage {
        TokenUsage(
            input: nonNegative(inputTokens ?? 0),
            cachedInput: nonNegative(cacheReadInputTokens ?? 0),
            cacheWrite: nonNegative(cacheCreationInputTokens ?? 0),
            output: nonNegative(outputTokens ?? 0)
        )
    }

    /// `self` with every count that `later` reports replaced (`message_delta` counts are cumulative).
    func updated(by later: AnthropicUsage) -> AnthropicUsage {
        AnthropicUsage(
            inputTokens: later.inputTokens ?? inputTokens,
            outputTokens: later.outputTokens ?? outputTokens,
            cacheCreationInputTokens: later.cacheCreationInputTokens ?? cacheCreationInputTokens,
            cacheReadInputTokens: later.cacheReadInputTokens ?? cacheReadInputTokens
        )
    }
}

/// An Anthropic stream event, reduced to what the tracker reads.
struct AnthropicStreamEvent: Decodable, Sendable {
    struct Message: Decodable, Sendable {
        var id: String?
        var model: String?
        var usage: AnthropicUsage?
    }

    struct Delta: Decodable, Sendable {
        var text: String?
        var partialJSON: String?
        var thinking: String?

        enum CodingKeys: String, CodingKey {
            case text, thinking
            case partialJSON = "partial_json"
        }

        var generatedByteCount: Int {
            (text?.utf8.count ?? 0) + (partialJSON?.utf8.count ?? 0) + (thinking?.utf8.count ?? 0)
        }
    }

    struct ErrorObject: Decodable, Sendable {
        var type: String?
        var message: String?
    }

    var type: String?
    var message: Message?
    var delta: Delta?
    var usage: AnthropicUsage?
    var error: ErrorObject?
}
