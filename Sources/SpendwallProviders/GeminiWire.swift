import SpendwallCore

/// Gemini `usageMetadata`.
struct GeminiUsage: Decodable, Sendable {
    var promptTokenCount: Int64?
    var candidatesTokenCount: Int64?
    var cachedContentTokenCount: Int64?
    var thoughtsTokenCount: Int64?
    var toolUsePromptTokenCount: Int64?

    /// `promptTokenCount` includes cached content; tool-use prompt tokens are billed as input;
    /// `candidatesTokenCount` excludes thoughts.
    var tokenUsage: TokenUsage {
        let cached = nonNegative(cachedContentTokenCount ?? 0)
        return TokenUsage(
            input: nonNegative((promptTokenCount ?? 0) - cached).saturatingAdding(nonNegative(toolUsePromptTokenCount ?? 0)),
            cachedInput: cached,
            output: nonNegative(candidatesTokenCount ?? 0),
            reasoning: nonNegative(thoughtsTokenCount ?? 0)
        )
    }
}

extension GeminiUsage {
    init(_ counts: UsageCounts) throws(UsageCounts.Mismatch) {
        self.init(
            promptTokenCount: try counts.count("promptTokenCount"),
            candidatesTokenCount: try counts.count("candidatesTokenCount"),
            cachedContentTokenCount: try counts.count("cachedContentTokenCount"),
            thoughtsTokenCount: try counts.count("thoughtsTokenCount"),
            toolUsePromptTokenCount: try counts.count("toolUsePromptTokenCount")
        )
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

    struct ErrorObject: Decodable, Sendable {
        var code: Int?
        var message: String?
        var status: String?
    }

    var candidates: [Candidate]?
    var usageMetadata: GeminiUsage?
    var responseId: String?
    var modelVersion: String?
    var promptFeedback: PromptFeedback?
    var error: ErrorObject?

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
