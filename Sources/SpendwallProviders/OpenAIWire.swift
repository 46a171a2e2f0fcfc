import SpendwallCore

/// OpenAI Chat Completions / embeddings `usage`.
struct OpenAIChatUsage: Decodable, Sendable {
    struct PromptDetails: Decodable, Sendable {
        var cachedTokens: Int64?
        var audioTokens: Int64?
        enum CodingKeys: String, CodingKey {
            case cachedTokens = "cached_tokens"
            case audioTokens = "audio_tokens"
        }
    }

    struct CompletionDetails: Decodable, Sendable {
        var reasoningTokens: Int64?
        var audioTokens: Int64?
        enum CodingKeys: String, CodingKey {
            case reasoningTokens = "reasoning_tokens"
            case audioTokens = "audio_tokens"
        }
    }

    var promptTokens: Int64?
    var completionTokens: Int64?
    var promptTokensDetails: PromptDetails?
    var completionTokensDetails: CompletionDetails?

    enum CodingKeys: String, CodingKey {
        case promptTokens = "prompt_tokens"
        case completionTokens = "completion_tokens"
        case promptTokensDetails = "prompt_tokens_details"
        case completionTokensDetails = "completion_tokens_details"
    }

    /// `prompt_tokens` includes cached and audio tokens and `completion_tokens` includes reasoning
    /// and audio tokens; all are split out.
    var tokenUsage: TokenUsage {
        let cached = nonNegative(promptTokensDetails?.cachedTokens ?? 0)
        let audioInput = nonNegative(promptTokensDetails?.audioTokens ?? 0)
        let reasoning = nonNegative(completionTokensDetails?.reasoningTokens ?? 0)
        let audioOutput = nonNegative(completionTokensDetails?.audioTokens ?? 0)
        return TokenUsage(
            input: nonNegative((promptTokens ?? 0) - cached - audioInput),
            cachedInput: cached,
            output: nonNegative((completionTokens ?? 0) - reasoning - audioOutput),
            reasoning: reasoning,
            audioInput: audioInput,
            audioOutput: audioOutput
        )
    }
}

/// OpenAI Responses API `usage`.
struct OpenAIResponsesUsage: Decodable, Sendable {
    struct InputDetails: Decodable, Sendable {
        var cachedTokens: Int64?
        enum CodingKeys: String, CodingKey { case cachedTokens = "cached_tokens" }
    }

    struct OutputDetails: Decodable, Sendable {
        var reasoningTokens: Int64?
        enum CodingKeys: String, CodingKey { case reasoningTokens = "reasoning_tokens" }
    }

    var inputTokens: Int64?
    var outputTokens: Int64?
    var inputTokensDetails: InputDetails?
    var outputTokensDetails: OutputDetails?

    enum CodingKeys: String, CodingKey {
        case inputTokens = "input_tokens"
        case outputTokens = "output_tokens"
        case inputTokensDetails = "input_tokens_details"
        case outputTokensDetails = "output_tokens_details"
    }

    var tokenUsage: TokenUsage {
        let cached = nonNegative(inputTokensDetails?.cachedTokens ?? 0)
        let reasoning = nonNegative(outputTokensDetails?.reasoningTokens ?? 0)
        return TokenUsage(
            input: nonNegative((inputTokens ?? 0) - cached),
            cachedInput: cached,
            output: nonNegative((outputTokens ?? 0) - reasoning),
            reasoning: reasoning
        )
    }
}

/// The `error` object of OpenAI (and OpenAI-style) error bodies and stream chunks.
struct OpenAIErrorObject: Decodable, Sendable {
    var message: String?
    var type: String?
    var code: String?

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        message = try? container.decodeIfPresent(String.self, forKey: .message)
        type = try? container.decodeIfPresent(String.self, forKey: .type)
        // `code` is a string, a number or null depending on the error.
        code = (try? container.decodeIfPresent(String.self, forKey: .code))
            ?? (try? container.decodeIfPresent(Int.self, forKey: .code)).flatMap { $0.map(String.init) }
    }

    enum CodingKeys: String, CodingKey { case message, type, code }

    /// `type: message`, or whichever part is present.
    var summary: String {
        [type ?? code, message].compactMap { $0 }.joined(separator: ": ")
    }
}

/// A Responses API stream event, reduced to what the tracker reads.
struct OpenAIResponsesEvent: Decodable, Sendable {
    struct Response: Decodable, Sendable {
        var id: String?
        var model: String?
        var serviceTier: String?
        var usage: OpenAIResponsesUsage?
        var error: OpenAIErrorObject?

        enum CodingKeys: String, CodingKey {
            case id, model, usage, error
            case serviceTier = "service_tier"
        }
    }

    var type: String?
    var response: Response?
    // `error` events carry these at the top level.
    var code: String?
    var message: String?
}

extension OpenAIChatUsage {
    static let nestedKeys = ["prompt_tokens_details", "completion_tokens_details"]

    init(_ counts: UsageCounts) throws(UsageCounts.Mismatch) {
        let read = try counts.openAI(("prompt_tokens", "prompt_tokens_details"), ("completion_tokens", "completion_tokens_details"))
        let prompt = try counts.nested("prompt_tokens_details"), completion = try counts.nested("completion_tokens_details")
        self.init(
            promptTokens: read.input, completionTokens: read.output,
            promptTokensDetails: PromptDetails(cachedTokens: read.cached, audioTokens: try prompt?.count("audio_tokens")),
            completionTokensDetails: CompletionDetails(reasoningTokens: read.reasoning, audioTokens: try completion?.count("audio_tokens"))
        )
    }
}

extension OpenAIResponsesUsage {
    static let nestedKeys = ["input_tokens_details", "output_tokens_details"]

    init(_ counts: UsageCounts) throws(UsageCounts.Mismatch) {
        let read = try counts.openAI(("input_tokens", "input_tokens_details"), ("output_tokens", "output_tokens_details"))
        self.init(inputTokens: read.input, outputTokens: read.output,
                  inputTokensDetails: InputDetails(cachedTokens: read.cached), outputTokensDetails: OutputDetails(reasoningTokens: read.reasoning))
    }
}

extension UsageCounts {
    /// The counts of both OpenAI usage shapes: input and output totals, with `cached_tokens` and
    /// `reasoning_tokens` inside the named details objects.
    func openAI(_ input: (total: String, details: String), _ output: (total: String, details: String)) throws(Mismatch)
        -> (input: Int64?, output: Int64?, cached: Int64?, reasoning: Int64?) {
        (
            try count(input.total), try count(output.total),
            try nested(input.details)?.count("cached_tokens"), try nested(output.details)?.count("reasoning_tokens")
        )
    }
}
