/// Gemini `GenerateContentResponse` shapes.
struct GeminiFormat: Sendable {
    var responseID: String
    var model: String
    var plan: CompletionPlan

    static func finishReason(_ choice: CompletionPlan.Choice) -> String {
        choice.isCapped ? "MAX_TOKENS" : "STOP"
    }

    /// `usageMetadata` with `candidates` visible output tokens so far: `promptTokenCount` includes
    /// cached tokens; thoughts are reported apart from candidates.
    func usageMetadata(candidates: Int) -> String {
        var out = #"{"promptTokenCount":\#(plan.inputTokens),"candidatesTokenCount":\#(candidates),"totalTokenCount":\#(plan.inputTokens + candidates + plan.reasoningTokens)"#
        if plan.cachedTokens > 0 { out += #","cachedContentTokenCount":\#(plan.cachedTokens)"# }
        if plan.reasoningTokens > 0 { out += #","thoughtsTokenCount":\#(plan.reasoningTokens)"# }
        let audio = plan.audioInputTokens > 0 ? #",{"modality":"AUDIO","tokenCount":\#(plan.audioInputTokens)}"# : ""
        out += #","promptTokensDetails":[{"modality":"TEXT","tokenCount":\#(plan.inputTokens - plan.audioInputTokens)}\#(audio)]}"#
        return out
    }

    func candidate(index: Int, text: String, finishReason: String?) -> String {
        let finish = finishReason.map { #","finishReason":"\#($0)""# } ?? ""
        return #"{"content":{"parts":[{"text":\#(JSONText.quoted(text))}],"role":"model"}\#(finish),"index":\#(index)}"#
    }

    func response(candidates: String, outputSoFar: Int) -> String {
        #"{"candidates":[\#(candidates)],"usageMetadata":\#(usageMetadata(candidates: outputSoFar)),"modelVersion":\#(JSONText.quoted(model)),"responseId":"\#(responseID)"}"#
    }

    /// The whole non-streaming response.
    var fullResponse: String {
        let candidates = plan.choices.indices.map { index in
            candidate(index: index, text: plan.text(choice: index), finishReason: Self.finishReason(plan.choices[index]))
        }
        return response(candidates: candidates.joined(separator: ","), outputSoFar: plan.outputTokens)
    }
}

/// The streamGenerateContent stream: one response per word (each with cumulative
/// `usageMetadata`; each candidate's last word carries its `finishReason`), either as SSE
/// `data:` events (`?alt=sse`) or as the elements of one JSON array.
struct GeminiStream: StreamScript {
    private let format: GeminiFormat
    private let asSSE: Bool
    private var choice = 0
    private var word = 0
    private var sent = 0
    private var closed = false

    init(format: GeminiFormat, asSSE: Bool) {
        self.format = format
        self.asSSE = asSSE
    }

    mutating func nextFrame() -> StreamFrame? {
        let plan = format.plan
        guard choice < plan.choices.count else {
            if asSSE || closed { return nil }
            closed = true
            return StreamFrame("]", role: .final)
        }
        let current = plan.choices[choice]
        let isLastWord = word == current.wordCount - 1
        let text = (word == 0 ? "" : " ") + WordSource.word(seed: plan.seed, choice: choice, position: word)
        let candidate = format.candidate(index: choice, text: text, finishReason: isLastWord ? GeminiFormat.finishReason(current) : nil)
        sent += 1
        let json = format.response(candidates: candidate, outputSoFar: sent)
        let isFirst = choice == 0 && word == 0
        let isFinal = isLastWord && choice == plan.choices.count - 1
        word += 1
        if isLastWord {
            choice += 1
            word = 0
        }
        let framed = asSSE ? SSE.data(json) : (isFirst ? "[" : ",\r\n") + json
        return StreamFrame(framed, role: isFinal ? .final : .content, words: 1)
    }
}
