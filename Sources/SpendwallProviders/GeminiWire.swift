import SpendwallCore

/// Gemini `usageMetadata`.
struct GeminiUsage: Decodable, Sendable {
    /// One entry of a `…TokensDetails` list: the tokens of one modality.
    struct ModalityCount: Decodable, Sendable {
        var modality: String?
        var tokenCount: Int64?
    }

    var promptTokenCount: Int64?
    var candidatesTokenCount: Int64?
    var cachedContentTokenCount: Int64?
    var thoughtsTokenCount: Int64?
    var toolUsePromptTokenCount: Int64?
    var promptTokensDetails: [ModalityCount]?
    var cacheTokensDetails: [ModalityCount]?
    var candidatesTokensDetails: [ModalityCount]?

    /// `promptTokenCount` includes cached content and audio; tool-use prompt tokens are billed as
    /// input; `candidatesTokenCount` excludes thoughts and includes generated audio. Audio input
    /// is the prompt's `AUDIO` tokens less the cached ones (cached audio bills as cached input).
    var tokenUsage: TokenUsage {
        let cached = nonNegative(cachedContentTokenCount ?? 0)
        let audioInput = nonNegative(Self.audio(promptTokensDetails) - Self.audio(cacheTokensDetails))
        let audioOutput = nonNegative(Self.audio(candidatesTokensDetails))
        return TokenUsage(
            input: nonNegative((promptTokenCount ?? 0) - cached - audioInput).saturatingAdding(nonNegative(toolUsePromptTokenCount ?? 0)),
            cachedInput: cached,
            output: nonNegative((candidatesTokenCount ?? 0) - audioOutput),
            reasoning: nonNegative(thoughtsTokenCount ?? 0),
            audioInput: audioInput,
            audioOutput: audioOutput
        )
    }

    /// The `AUDIO` tokens of a details list.
    static func audio(_ details: [ModalityCount]?) -> Int64 {
        (details ?? []).reduce(0) { total, entry in
            entry.modality == "AUDIO" ? total.saturatingAdding(nonNegative(entry.tokenCount ?? 0)) : total
        }
    }
}

extension GeminiUsage {
    init(_ counts: UsageCounts) throws(UsageCounts.Mismatch) {
        func details(_ key: String) throws(UsageCounts.Mismatch) -> [ModalityCount]? {
            try counts.objects(key)?.map { entry throws(UsageCounts.Mismatch) in
                ModalityCount(modality: try entry.string("modality"), tokenCount: try entry.count("tokenCount"))
            }
        }
        self.init(
            promptTokenCount: try counts.count("promptTokenCount"),
            candidatesTokenCount: try counts.count("candidatesTokenCount"),
            cachedContentTokenCount: try counts.count("cachedContentTokenCount"),
            thoughtsTokenCount: try counts.count("thoughtsTokenCount"),
            toolUsePromptTokenCount: try counts.count("toolUsePromptTokenCount"),
            promptTokensDetails: try details("promptTokensDetails"),
            cacheTokensDetails: try details("cacheTokensDetails"),
            candidatesTokensDetails: try details("candidatesTokensDetails")
        )
    }
}

/// The `error` object of a Gemini error body or stream chunk.
struct GeminiErrorObject: Decodable, Sendable {
    var code: Int?
    var message: String?
    var status: String?
}
