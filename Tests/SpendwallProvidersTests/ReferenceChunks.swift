import SpendwallCore
@testable import SpendwallProviders

// The wire shapes the stream readers were first written against, decoded with `JSONDecoder`:
// the reference the byte-level readers are property-tested against.

/// One `chat.completion.chunk`, reduced to what the tracker reads.
struct OpenAIChatChunk: Decodable, Sendable {
    struct Choice: Decodable, Sendable {
        struct Delta: Decodable, Sendable {
            struct ToolCall: Decodable, Sendable {
                struct Function: Decodable, Sendable { var arguments: String? }
                var function: Function?
            }

            var content: String?
            var refusal: String?
            var reasoningContent: String?
            var toolCalls: [ToolCall]?
            var functionCall: ToolCall.Function?

            enum CodingKeys: String, CodingKey {
                case content, refusal
                case reasoningContent = "reasoning_content"
                case toolCalls = "tool_calls"
                case functionCall = "function_call"
            }

            var generatedByteCount: Int {
                var count = (content?.utf8.count ?? 0) + (refusal?.utf8.count ?? 0) + (reasoningContent?.utf8.count ?? 0)
                count += functionCall?.arguments?.utf8.count ?? 0
                for call in toolCalls ?? [] { count += call.function?.arguments?.utf8.count ?? 0 }
                return count
            }
        }

        var delta: Delta?
        var finishReason: String?

        enum CodingKeys: String, CodingKey {
            case delta
            case finishReason = "finish_reason"
        }
    }

    var id: String?
    var model: String?
    var serviceTier: String?
    var choices: [Choice]?
    var usage: OpenAIChatUsage?
    var error: OpenAIErrorObject?

    enum CodingKeys: String, CodingKey {
        case id, model, choices, usage, error
        case serviceTier = "service_tier"
    }
}


/// One `GenerateContentResponse` (a whole response, an SSE chunk, or an array element).
struct GeminiResponse: Decodable, Sendable {
    struct Candidate: Decodable, Sendable {
        struct Content: Decodable, Sendable {
            struct Part: Decodable, Sendable { var text: String? }
            var parts: [Part]?
        }

        var content: Content?
        var finishReason: String?
    }

    struct PromptFeedback: Decodable, Sendable { var blockReason: String? }

    var candidates: [Candidate]?
    var usageMetadata: GeminiUsage?
    var responseId: String?
    var modelVersion: String?
    var promptFeedback: PromptFeedback?
    var error: GeminiErrorObject?

    var generatedByteCount: Int {
        var count = 0
        for candidate in candidates ?? [] {
            for part in candidate.content?.parts ?? [] { count += part.text?.utf8.count ?? 0 }
        }
        return count
    }

    /// True on the last chunk: a candidate has a finish reason, or the prompt was blocked.
    var isFinal: Bool {
        (candidates ?? []).contains { $0.finishReason != nil && $0.finishReason != "FINISH_REASON_UNSPECIFIED" }
            || promptFeedback?.blockReason != nil
    }
}
