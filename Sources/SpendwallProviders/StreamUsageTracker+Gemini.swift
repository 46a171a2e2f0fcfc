extension StreamUsageTracker {
    /// Reads one `GenerateContentResponse` chunk (an SSE event's data or a JSON array element).
    mutating func observeGemini(_ chunk: GeminiResponse) {
        if let id = chunk.responseId { responseID = id }
        if let version = chunk.modelVersion { model = version }
        addStreamedBytes(chunk.generatedByteCount)
        if let reported = chunk.usageMetadata { usage = reported.tokenUsage }
        if chunk.isFinal { sawTerminalEvent = true }
        if let error = chunk.error {
            upstreamError = [error.status, error.message].compactMap { $0 }.joined(separator: ": ")
        }
    }
}
