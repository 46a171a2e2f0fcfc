public import NIOCore
import SpendwallCore

/// The event that ends a stream with an error, in each streaming dialect, for a stream the
/// gateway cuts itself (the kill switch). SDKs surface it as they surface the provider's own
/// mid-stream errors:
///
/// - OpenAI chat completions: `data: {"error":{…}}` (the `openai` SDK raises `APIError`).
/// - OpenAI responses: `event: error` with `{"type":"error","code","message","param","sequence_number"}`.
/// - Anthropic messages: `event: error` with `{"type":"error","error":{"type","message"}}` (the
///   `anthropic` SDK raises `APIStatusError`).
/// - Gemini with `alt=sse`: `data: {"error":{"code","message","status",…}}`. The JSON-array form
///   takes the error object as its last element (see ``arrayElement(status:type:message:extra:)``).
public enum StreamErrorEvent {
    /// The whole SSE event, terminated by a blank line.
    ///
    /// - Parameter sequenceNumber: the Responses API's `sequence_number` for this event (the
    ///   number of events sent before it).
    public static func make(
        endpoint: Endpoint, status: Int, type: String, message: String, extra: [String: String] = [:], sequenceNumber: Int = 0
    ) -> ByteBuffer {
        var event = ByteBuffer()
        switch endpoint {
        case .openaiResponses:
            var fields = extra
            fields["type"] = "error"
            fields["code"] = type
            fields["message"] = message
            var body = ByteBuffer()
            body.writeString("{")
            for (index, name) in fields.keys.sorted().enumerated() {
                if index > 0 { body.writeString(",") }
                body.writeString(JSONQuoting.quoted(name) + ":" + JSONQuoting.quoted(fields[name]!))
            }
            body.writeString(#","param":null,"sequence_number":\#(sequenceNumber)}"#)
            event.writeString("event: error\ndata: ")
            event.writeBuffer(&body)
        case .anthropicMessages, .anthropicCountTokens:
            var body = ErrorBody.make(provider: .anthropic, status: status, type: type, message: message, extra: extra)
            event.writeString("event: error\ndata: ")
            event.writeBuffer(&body)
        default:
            var body = ErrorBody.make(provider: endpoint.provider, status: status, type: type, message: message, extra: extra)
            event.writeString("data: ")
            event.writeBuffer(&body)
        }
        event.writeString("\n\n")
        return event
    }

    /// The error object a Gemini JSON-array stream ends with (without separators).
    public static func arrayElement(status: Int, type: String, message: String, extra: [String: String] = [:]) -> ByteBuffer {
        ErrorBody.make(provider: .gemini, status: status, type: type, message: message, extra: extra)
    }
}
