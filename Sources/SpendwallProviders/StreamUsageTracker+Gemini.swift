extension StreamUsageTracker {
    /// Reads one `GenerateContentResponse` chunk (an SSE event's data or a JSON array element)
    /// from its bytes with `JSONNode`: every chunk of a Gemini stream passes here.
    mutating func observeGemini(_ bytes: UnsafeRawBufferPointer) {
        guard let chunk = JSONNode.object(bytes) else { return }
        if let id = chunk["responseId"]?.string { responseID = id }
        if let version = chunk["modelVersion"]?.string { model = version }
        var generated = 0
        var finished = false
        for candidate in chunk["candidates"]?.elements ?? [] {
            for part in candidate["content"]?["parts"]?.elements ?? [] { generated += part["text"]?.stringByteCount ?? 0 }
            if let reason = candidate["finishReason"]?.string, reason != "FINISH_REASON_UNSPECIFIED" { finished = true }
        }
        addStreamedBytes(generated)
        if let metadata = chunk["usageMetadata"], metadata.kind == .object,
           let counts = UsageCounts(metadata.slice), let reported = try? GeminiUsage(counts) {
            usage = reported.tokenUsage
        }
        if finished || chunk["promptFeedback"]?["blockReason"] != nil { sawTerminalEvent = true }
        if let error = chunk["error"], let object = WireJSON.decode(GeminiErrorObject.self, from: error.slice) {
            upstreamError = [object.status, object.message].compactMap { $0 }.joined(separator: ": ")
        }
    }

    /// `observeGemini(_:)` for an SSE event's data.
    mutating func observeGemini(_ data: String) {
        var data = data
        data.withUTF8 { observeGemini(UnsafeRawBufferPointer($0)) }
    }
}
