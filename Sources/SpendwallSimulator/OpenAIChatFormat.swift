/// OpenAI Chat Completions response shapes.
enum OpenAIChatFormat {
    static let fingerprint = "fp_spendwall_sim"

    /// The `usage` object: `prompt_tokens` includes cached and audio tokens, `completion_tokens`
    /// includes reasoning and audio.
    static func usage(_ plan: CompletionPlan) -> String {
        let completion = plan.outputTokens + plan.reasoningTokens + plan.audioOutputTokens
        return #"{"prompt_tokens":\#(plan.inputTokens),"completion_tokens":\#(completion),"total_tokens":\#(plan.inputTokens + completion),"prompt_tokens_details":{"cached_tokens":\#(plan.cachedTokens),"audio_tokens":\#(plan.audioInputTokens)},"completion_tokens_details":{"reasoning_tokens":\#(plan.reasoningTokens),"audio_tokens":\#(plan.audioOutputTokens),"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}"#
    }

    static func finishReason(_ choice: CompletionPlan.Choice) -> String {
        choice.isCapped ? "length" : "stop"
    }

    /// A `chat.completion` object.
    static func completion(id: String, model: String, created: Int, plan: CompletionPlan, serviceTier: String = "default") -> String {
        var choices: [String] = []
        choices.reserveCapacity(plan.choices.count)
        for (index, choice) in plan.choices.enumerated() {
            choices.append(#"{"index":\#(index),"message":{"role":"assistant","content":\#(JSONText.quoted(plan.text(choice: index))),"refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"\#(finishReason(choice))"}"#)
        }
        return #"{"id":\#(JSONText.quoted(id)),"object":"chat.completion","created":\#(created),"model":\#(JSONText.quoted(model)),"choices":[\#(choices.joined(separator: ","))],"usage":\#(usage(plan)),"service_tier":\#(JSONText.quoted(serviceTier)),"system_fingerprint":"\#(fingerprint)"}"#
    }
}

/// A `chat.completion.chunk` stream: per choice a role chunk, one chunk per word and a finish chunk;
/// then, only with `stream_options.include_usage`, a `"choices":[]` usage chunk (every other chunk
/// then carries `"usage":null`); then `data: [DONE]`.
struct OpenAIChatStream: StreamScript {
    private let plan: CompletionPlan
    private let includeUsage: Bool
    private let prefix: String
    private let suffix: String
    private var choice = 0
    /// -1: role chunk; 0..<wordCount: words; wordCount: finish chunk.
    private var position = -1
    private var trailerStep = 0

    init(id: String, model: String, created: Int, plan: CompletionPlan, includeUsage: Bool, serviceTier: String = "default") {
        self.plan = plan
        self.includeUsage = includeUsage
        self.prefix = #"{"id":\#(JSONText.quoted(id)),"object":"chat.completion.chunk","created":\#(created),"model":\#(JSONText.quoted(model)),"service_tier":\#(JSONText.quoted(serviceTier)),"system_fingerprint":"\#(OpenAIChatFormat.fingerprint)","choices":["#
        self.suffix = includeUsage ? #"],"usage":null}"# : "]}"
    }

    mutating func nextFrame() -> StreamFrame? {
        if choice < plan.choices.count {
            let current = plan.choices[choice]
            defer {
                position += 1
                if position > current.wordCount {
                    choice += 1
                    position = -1
                }
            }
            if position == -1 {
                return StreamFrame(chunk(#"{"index":\#(choice),"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}"#), role: .framing)
            }
            if position < current.wordCount {
                let text = (position == 0 ? "" : " ") + WordSource.word(seed: plan.seed, choice: choice, position: position)
                return StreamFrame(chunk(#"{"index":\#(choice),"delta":{"content":\#(JSONText.quoted(text))},"logprobs":null,"finish_reason":null}"#), role: .content, words: 1)
            }
            let isLast = choice == plan.choices.count - 1
            return StreamFrame(chunk(#"{"index":\#(choice),"delta":{},"logprobs":null,"finish_reason":"\#(OpenAIChatFormat.finishReason(current))"}"#), role: isLast ? .final : .framing)
        }
        defer { trailerStep += 1 }
        switch trailerStep {
        case 0 where includeUsage:
            return StreamFrame(SSE.data(prefix + #"],"usage":\#(OpenAIChatFormat.usage(plan))}"#), role: .final)
        case 0, 1:
            trailerStep = 1
            return StreamFrame("data: [DONE]\n\n", role: .final)
        default:
            return nil
        }
    }

    private func chunk(_ choiceJSON: String) -> String {
        SSE.data(prefix + choiceJSON + suffix)
    }
}
