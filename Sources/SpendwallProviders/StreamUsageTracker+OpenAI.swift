extension StreamUsageTracker {
    mutating func observeChatCompletions(_ event: SSEEvent) -> StreamDisposition {
        if event.data == "[DONE]" {
            sawTerminalEvent = true
            return .forward
        }
        guard let chunk = WireJSON.decode(OpenAIChatChunk.self, from: event.data) else { return .forward }
        if responseID == nil, let id = chunk.id { responseID = id }
        if model == nil, let name = chunk.model { model = name }
        if let tier = chunk.serviceTier { serviceTier = tier }
        if let error = chunk.error { upstreamError = error.summary }
        for choice in chunk.choices ?? [] {
            if let delta = choice.delta { addStreamedBytes(delta.generatedByteCount) }
        }
        guard let reported = chunk.usage else { return .forward }
        usage = reported.tokenUsage
        // The usage chunk has `choices: []`; only that shape is hidden.
        if hideUsageChunk, let choices = chunk.choices, choices.isEmpty { return .drop }
        return .forward
    }

    mutating func observeResponses(_ event: SSEEvent) {
        var type = event.event
        if type == nil || type == "message" {
            struct TypeOnly: Decodable { var type: String? }
            type = WireJSON.decode(TypeOnly.self, from: event.data)?.type
        }
        guard let type else { return }
        if type.hasSuffix(".delta") {
            // Audio deltas are base64 audio, not text.
            guard type != "response.audio.delta",
                  let delta = WireJSON.decode(OpenAIResponsesDelta.self, from: event.data) else { return }
            addStreamedBytes(delta.delta.utf8.count)
            return
        }
        switch type {
        case "response.created", "response.in_progress", "response.queued",
             "response.completed", "response.incomplete", "response.failed", "error":
            break
        default:
            return
        }
        guard let decoded = WireJSON.decode(OpenAIResponsesEvent.self, from: event.data) else { return }
        if let response = decoded.response {
            if let id = response.id { responseID = id }
            if let name = response.model { model = name }
            if let tier = response.serviceTier { serviceTier = tier }
            if let reported = response.usage { usage = reported.tokenUsage }
            if type == "response.failed" {
                upstreamError = response.error?.summary ?? "response.failed"
            }
        }
        if type == "error" {
            upstreamError = [decoded.code, decoded.message].compactMap { $0 }.joined(separator: ": ")
        }
        if type == "response.completed" || type == "response.incomplete" || type == "response.failed" {
            sawTerminalEvent = true
        }
    }
}
