extension StreamUsageTracker {
    mutating func observeChatCompletions(_ event: SSEEvent) -> StreamDisposition {
        if event.data == "[DONE]" {
            sawTerminalEvent = true
            return .forward
        }
        var data = event.data
        return data.withUTF8 { bytes in observeChatChunk(UnsafeRawBufferPointer(bytes)) }
    }

    /// Reads one `chat.completion.chunk` with `JSONNode` (every chunk of every stream passes
    /// here, so nothing is decoded beyond the fields below).
    private mutating func observeChatChunk(_ bytes: UnsafeRawBufferPointer) -> StreamDisposition {
        guard let chunk = JSONNode.object(bytes) else { return .forward }
        if responseID == nil, let id = chunk["id"]?.string { responseID = id }
        if model == nil, let name = chunk["model"]?.string { model = name }
        if let tier = chunk["service_tier"]?.string { serviceTier = tier }
        if let error = chunk["error"], let object = WireJSON.decode(OpenAIErrorObject.self, from: error.slice) {
            upstreamError = object.summary
        }
        let choices = chunk["choices"]
        for choice in choices?.elements ?? [] {
            guard let delta = choice["delta"] else { continue }
            var count = 0
            for field in ["content", "refusal", "reasoning_content"] { count += delta[field]?.stringByteCount ?? 0 }
            count += delta["function_call"]?["arguments"]?.stringByteCount ?? 0
            for call in delta["tool_calls"]?.elements ?? [] { count += call["function"]?["arguments"]?.stringByteCount ?? 0 }
            addStreamedBytes(count)
        }
        guard let reported = chunk["usage"], reported.kind == .object,
              let counts = UsageCounts(reported.slice, nested: OpenAIChatUsage.nestedKeys),
              let parsed = try? OpenAIChatUsage(counts) else { return .forward }
        usage = parsed.tokenUsage
        // The usage chunk has `choices: []`; only that shape is hidden.
        if hideUsageChunk, let choices, choices.kind == .array, choices.elements.isEmpty { return .drop }
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
            guard type != "response.audio.delta" else { return }
            addStreamedBytes(Self.deltaByteCount(event.data, member: nil, fields: ["delta"]))
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
