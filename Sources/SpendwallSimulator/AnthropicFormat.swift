/// Anthropic Messages response shapes.
struct AnthropicFormat: Sendable {
    var id: String
    var model: String
    var plan: CompletionPlan

    var stopReason: String { plan.isCapped ? "max_tokens" : "end_turn" }

    /// The usage object with `output` output tokens: `input_tokens` excludes cache reads and writes;
    /// `cache_creation_input_tokens` is both cache lifetimes, split in `cache_creation`.
    func usage(output: Int) -> String {
        let cacheCreation = #"{"ephemeral_5m_input_tokens":\#(plan.cacheWriteTokens),"ephemeral_1h_input_tokens":\#(plan.extendedCacheWriteTokens)}"#
        return #"{"input_tokens":\#(plan.uncachedInputTokens),"cache_creation_input_tokens":\#(plan.cacheCreationTokens),"cache_read_input_tokens":\#(plan.cachedTokens),"cache_creation":\#(cacheCreation),"output_tokens":\#(output),"service_tier":"standard"}"#
    }

    /// The cumulative `message_delta` usage: like Anthropic's, it carries the cache-write total
    /// but no `cache_creation` split (that came in `message_start`).
    var deltaUsage: String {
        #"{"input_tokens":\#(plan.uncachedInputTokens),"cache_creation_input_tokens":\#(plan.cacheCreationTokens),"cache_read_input_tokens":\#(plan.cachedTokens),"output_tokens":\#(plan.outputTokens)}"#
    }

    /// The non-streaming `message` object.
    var message: String {
        let text = #"{"type":"text","text":\#(JSONText.quoted(plan.text(choice: 0)))}"#
        return #"{"id":"\#(id)","type":"message","role":"assistant","model":\#(JSONText.quoted(model)),"content":[\#(text)],"stop_reason":"\#(stopReason)","stop_sequence":null,"usage":\#(usage(output: plan.outputTokens))}"#
    }
}

/// The Messages SSE stream: `message_start` (input usage, `output_tokens: 1`),
/// `content_block_start`, `ping`, one `content_block_delta` (`text_delta`) per word,
/// `content_block_stop`, `message_delta` (stop reason, cumulative usage), `message_stop`.
struct AnthropicStream: StreamScript {
    private let format: AnthropicFormat
    private var step = 0
    private var word = 0

    init(format: AnthropicFormat) {
        self.format = format
    }

    mutating func nextFrame() -> StreamFrame? {
        let plan = format.plan
        while true {
            switch step {
            case 0:
                step = 1
                let message = #"{"id":"\#(format.id)","type":"message","role":"assistant","model":\#(JSONText.quoted(format.model)),"content":[],"stop_reason":null,"stop_sequence":null,"usage":\#(format.usage(output: 1))}"#
                return event("message_start", #"{"type":"message_start","message":\#(message)}"#, .framing)
            case 1:
                step = 2
                return event("content_block_start", #"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#, .framing)
            case 2:
                step = 3
                return event("ping", #"{"type":"ping"}"#, .framing)
            case 3 where word < plan.choices[0].wordCount:
                let text = (word == 0 ? "" : " ") + WordSource.word(seed: plan.seed, choice: 0, position: word)
                word += 1
                return event("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":\#(JSONText.quoted(text))}}"#, .content, words: 1)
            case 3:
                step = 4
            case 4:
                step = 5
                return event("content_block_stop", #"{"type":"content_block_stop","index":0}"#, .final)
            case 5:
                step = 6
                return event("message_delta", #"{"type":"message_delta","delta":{"stop_reason":"\#(format.stopReason)","stop_sequence":null},"usage":\#(format.deltaUsage)}"#, .final)
            case 6:
                step = 7
                return event("message_stop", #"{"type":"message_stop"}"#, .final)
            default:
                return nil
            }
        }
    }

    private func event(_ name: String, _ json: String, _ role: StreamFrame.Role, words: Int = 0) -> StreamFrame {
        StreamFrame(SSE.event(name, json), role: role, words: words)
    }
}
