/// OpenAI Responses API shapes (`POST /v1/responses`).
struct OpenAIResponsesFormat: Sendable {
    var id: String
    var model: String
    var created: Int
    var maxOutputTokens: Int?
    var plan: CompletionPlan
    var serviceTier = "default"

    var messageID: String { "msg_" + id.dropFirst("resp_".count) }
    var reasoningID: String { "rs_" + id.dropFirst("resp_".count) }
    var isIncomplete: Bool { plan.isCapped }

    /// The `usage` object: `input_tokens` includes cached tokens, `output_tokens` includes reasoning.
    var usage: String {
        let output = plan.outputTokens + plan.reasoningTokens
        return #"{"input_tokens":\#(plan.inputTokens),"input_tokens_details":{"cached_tokens":\#(plan.cachedTokens)},"output_tokens":\#(output),"output_tokens_details":{"reasoning_tokens":\#(plan.reasoningTokens)},"total_tokens":\#(plan.inputTokens + output)}"#
    }

    var reasoningItem: String {
        #"{"id":"\#(reasoningID)","type":"reasoning","summary":[]}"#
    }

    func textPart(_ text: String) -> String {
        #"{"type":"output_text","annotations":[],"logprobs":[],"text":\#(JSONText.quoted(text))}"#
    }

    func messageItem(status: String, content: String) -> String {
        #"{"id":"\#(messageID)","type":"message","status":"\#(status)","role":"assistant","content":[\#(content)]}"#
    }

    /// The finished message item.
    var finalMessageItem: String {
        messageItem(status: isIncomplete ? "incomplete" : "completed", content: textPart(plan.text(choice: 0)))
    }

    /// Output items of the finished response.
    var finalOutput: String {
        (plan.reasoningTokens > 0 ? reasoningItem + "," : "") + finalMessageItem
    }

    /// A `response` object; `finished` selects the final state over the initial `in_progress` one.
    func response(finished: Bool) -> String {
        let status = finished ? (isIncomplete ? "incomplete" : "completed") : "in_progress"
        let incomplete = finished && isIncomplete ? #"{"reason":"max_output_tokens"}"# : "null"
        let output = finished ? finalOutput : ""
        let usage = finished ? usage : "null"
        let cap = maxOutputTokens.map(String.init) ?? "null"
        return #"{"id":"\#(id)","object":"response","created_at":\#(created),"status":"\#(status)","background":false,"error":null,"incomplete_details":\#(incomplete),"instructions":null,"max_output_tokens":\#(cap),"max_tool_calls":null,"model":\#(JSONText.quoted(model)),"output":[\#(output)],"parallel_tool_calls":true,"previous_response_id":null,"reasoning":{"effort":null,"summary":null},"service_tier":\#(JSONText.quoted(serviceTier)),"store":true,"temperature":1.0,"text":{"format":{"type":"text"},"verbosity":"medium"},"tool_choice":"auto","tools":[],"top_logprobs":0,"top_p":1.0,"truncation":"disabled","usage":\#(usage),"user":null,"metadata":{}}"#
    }
}

/// The Responses SSE stream: `response.created`, `response.in_progress`, (a reasoning item,)
/// `response.output_item.added`, `response.content_part.added`, one `response.output_text.delta`
/// per word, `response.output_text.done`, `response.content_part.done`, `response.output_item.done`,
/// then `response.completed` (or `response.incomplete` when capped). Every event has an `event:`
/// line and a `sequence_number`.
struct OpenAIResponsesStream: StreamScript {
    private let format: OpenAIResponsesFormat
    private var sequence = 0
    private var step = 0
    private var word = 0
    private let messageIndex: Int

    init(format: OpenAIResponsesFormat) {
        self.format = format
        self.messageIndex = format.plan.reasoningTokens > 0 ? 1 : 0
    }

    mutating func nextFrame() -> StreamFrame? {
        let plan = format.plan
        let item = #""item_id":"\#(format.messageID)","output_index":\#(messageIndex),"content_index":0"#
        // Steps: 0 created, 1 in_progress, 2-3 reasoning item, 4 item added, 5 part added,
        // 6 deltas, 7 text done, 8 part done, 9 item done, 10 completed.
        while true {
            switch step {
            case 0:
                step = 1
                return event("response.created", #""response":\#(format.response(finished: false))"#, .framing)
            case 1:
                step = plan.reasoningTokens > 0 ? 2 : 4
                return event("response.in_progress", #""response":\#(format.response(finished: false))"#, .framing)
            case 2:
                step = 3
                return event("response.output_item.added", #""output_index":0,"item":\#(format.reasoningItem)"#, .framing)
            case 3:
                step = 4
                return event("response.output_item.done", #""output_index":0,"item":\#(format.reasoningItem)"#, .framing)
            case 4:
                step = 5
                return event("response.output_item.added", #""output_index":\#(messageIndex),"item":\#(format.messageItem(status: "in_progress", content: ""))"#, .framing)
            case 5:
                step = 6
                return event("response.content_part.added", item + #","part":\#(format.textPart(""))"#, .framing)
            case 6 where word < plan.choices[0].wordCount:
                let text = (word == 0 ? "" : " ") + WordSource.word(seed: plan.seed, choice: 0, position: word)
                word += 1
                return event("response.output_text.delta", item + #","delta":\#(JSONText.quoted(text)),"logprobs":[]"#, .content, words: 1)
            case 6:
                step = 7
            case 7:
                step = 8
                return event("response.output_text.done", item + #","text":\#(JSONText.quoted(plan.text(choice: 0))),"logprobs":[]"#, .final)
            case 8:
                step = 9
                return event("response.content_part.done", item + #","part":\#(format.textPart(plan.text(choice: 0)))"#, .final)
            case 9:
                step = 10
                return event("response.output_item.done", #""output_index":\#(messageIndex),"item":\#(format.finalMessageItem)"#, .final)
            case 10:
                step = 11
                let name = format.isIncomplete ? "response.incomplete" : "response.completed"
                return event(name, #""response":\#(format.response(finished: true))"#, .final)
            default:
                return nil
            }
        }
    }

    private mutating func event(_ name: String, _ fields: String, _ role: StreamFrame.Role, words: Int = 0) -> StreamFrame {
        defer { sequence += 1 }
        return StreamFrame(SSE.event(name, #"{"type":"\#(name)","sequence_number":\#(sequence),"# + fields + "}"), role: role, words: words)
    }
}
