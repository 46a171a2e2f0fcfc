public import NIOCore

/// Reads the fields of a request body that budgeting needs, validating the whole body as JSON.
///
/// ```swift
/// let peek = try RequestPeeker.peek(body, endpoint: .openaiChatCompletions, pathModel: nil)
/// peek.model       // "gpt-4o"
/// peek.outputCap   // 256
/// ```
///
/// A key may appear only once among the fields read (`{"max_tokens":1,"max_tokens":9}` is refused),
/// and escaped keys are decoded, so the peek always sees what the provider will see.
public enum RequestPeeker {
    /// The largest `n` / `candidateCount` accepted.
    public static let maximumChoices: Int64 = 128

    /// Peeks at `body` sent to `endpoint`.
    ///
    /// - Parameters:
    ///   - body: the request body as received.
    ///   - endpoint: where it was sent.
    ///   - pathModel: the model from the URL path (Gemini); ignored for other providers.
    /// - Throws: ``ProviderError`` with code `invalid_json` when the body is not a JSON object, or
    ///   `invalid_request` when a field budgeting needs is missing, mistyped or out of range.
    public static func peek(_ body: ByteBuffer, endpoint: Endpoint, pathModel: String?) throws(ProviderError) -> RequestPeek {
        let result = body.withUnsafeReadableBytes { bytes -> Result<RequestPeek, ProviderError> in
            do throws(ProviderError) {
                return .success(try peek(bytes, endpoint: endpoint, pathModel: pathModel))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    static func peek(_ bytes: UnsafeRawBufferPointer, endpoint: Endpoint, pathModel: String?) throws(ProviderError) -> RequestPeek {
        let layout = try JSONScanner.scanObject(bytes, descendInto: FieldNames.descendKeys, detectMedia: true)
        let fields = PeekFields(bytes: bytes, members: layout.members)
        var peek = RequestPeek(endpoint: endpoint, model: "", hasMedia: layout.mentionsMedia, bodyByteCount: bytes.count)

        if endpoint.modelIsInPath {
            var name = Substring(pathModel ?? "")
            if name.hasPrefix("models/") { name = name.dropFirst("models/".count) }
            guard !name.isEmpty else { throw .invalidRequest("The model must be named in the URL path.", field: "model") }
            peek.model = String(name)
        } else {
            peek.model = try fields.requiredModel()
        }

        switch endpoint {
        case .openaiChatCompletions:
            peek.stream = try fields.bool(["stream"]) ?? false
            let completion = try fields.cap(["max_completion_tokens"])
            let legacy = try fields.cap(["max_tokens"])
            // Both set: which one the provider applies is not documented; assume the larger.
            peek.outputCap = switch (completion, legacy) {
            case let (a?, b?): max(a, b)
            case let (a, b): a ?? b
            }
            peek.choices = try fields.choices(["n"]) ?? 1
            if let options = try fields.object(["stream_options"]) {
                let nested = PeekFields(bytes: bytes, members: options.members ?? [], prefix: "stream_options.")
                peek.clientRequestedStreamUsage = try nested.bool(["include_usage"]) ?? false
            }
            peek.messageCount = try fields.count(["messages"])
            peek.serviceTier = try fields.string(["service_tier"])
        case .openaiResponses:
            peek.stream = try fields.bool(["stream"]) ?? false
            peek.outputCap = try fields.cap(["max_output_tokens"])
            peek.messageCount = try fields.count(["input"])
            peek.serviceTier = try fields.string(["service_tier"])
            peek.previousResponseID = try fields.string(["previous_response_id"])
            // A stored conversation's tokens are billed as input but neither carried in the body
            // nor in this tenant's ledger: its cost cannot be bounded, nor its owner checked.
            if let conversation = try fields.member(["conversation"]), conversation.kind != .null {
                throw .invalidRequest(
                    "`conversation` is not supported through Spendwall: a conversation stored at the provider cannot be budgeted. Send the input, or chain responses with `previous_response_id`.",
                    field: "conversation"
                )
            }
        case .openaiEmbeddings:
            peek.messageCount = try fields.count(["input"])
        case .anthropicMessages:
            peek.stream = try fields.bool(["stream"]) ?? false
            peek.outputCap = try fields.cap(["max_tokens"])
            peek.messageCount = try fields.count(["messages"])
        case .anthropicCountTokens:
            peek.messageCount = try fields.count(["messages"])
        case .geminiGenerateContent, .geminiStreamGenerateContent:
            peek.stream = endpoint == .geminiStreamGenerateContent
            if let config = try fields.object(FieldNames.geminiGenerationConfig) {
                let prefix = config.key + "."
                let nested = PeekFields(bytes: bytes, members: config.members ?? [], prefix: prefix)
                peek.outputCap = try nested.cap(FieldNames.geminiMaxOutputTokens)
                peek.choices = try nested.choices(FieldNames.geminiCandidateCount) ?? 1
            }
            peek.messageCount = try fields.count(["contents"])
            peek.serviceTier = try fields.string(FieldNames.geminiServiceTier)
        }
        return peek
    }
}

/// Key spellings shared by the peeker and the rewriter. Gemini's JSON parser also accepts the
/// proto field names in snake_case, so both spellings are read and written.
enum FieldNames {
    static let geminiGenerationConfig = ["generationConfig", "generation_config"]
    static let geminiMaxOutputTokens = ["maxOutputTokens", "max_output_tokens"]
    static let geminiCandidateCount = ["candidateCount", "candidate_count"]
    static let geminiServiceTier = ["serviceTier", "service_tier"]
    static let descendKeys = ["stream_options"] + geminiGenerationConfig
}
