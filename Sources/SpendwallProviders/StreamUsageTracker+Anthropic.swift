extension StreamUsageTracker {
    mutating func observeAnthropic(_ event: SSEEvent) {
        let name = event.event
        // Deltas are the bulk of the stream: read only their text fields, from the bytes.
        if name == "content_block_delta" {
            addStreamedBytes(Self.deltaByteCount(event.data, member: "delta", fields: ["text", "partial_json", "thinking"]))
            return
        }
        if name == "ping" || name == "content_block_start" || name == "content_block_stop" { return }
        guard let decoded = WireJSON.decode(AnthropicStreamEvent.self, from: event.data) else { return }
        switch decoded.type ?? name {
        case "message_start":
            if let message = decoded.message {
                responseID = message.id ?? responseID
                model = message.model ?? model
                if let reported = message.usage { recordAnthropic(reported) }
            }
        case "message_delta":
            if let reported = decoded.usage { recordAnthropic(reported) }
        case "content_block_delta":
            if let delta = decoded.delta { addStreamedBytes(delta.generatedByteCount) }
        case "message_stop":
            sawTerminalEvent = true
        case "error":
            let error = decoded.error
            upstreamError = [error?.type, error?.message].compactMap { $0 }.joined(separator: ": ")
        default:
            break
        }
    }

    private mutating func recordAnthropic(_ reported: AnthropicUsage) {
        let combined = anthropicUsage.map { $0.updated(by: reported) } ?? reported
        anthropicUsage = combined
        usage = combined.tokenUsage
    }
}
