public import NIOCore
import SpendwallCore

/// Reads the usage of a non-streamed response body.
///
/// Only the `usage` / `usageMetadata` member is decoded; the rest of the body (choices, embeddings)
/// is only scanned.
///
/// ```swift
/// if let extracted = UsageExtractor.fromResponseBody(body, endpoint: .openaiChatCompletions) {
///     settle(extracted.usage)
/// }
/// ```
public enum UsageExtractor {
    /// The usage, id and model of a response body, or nil when the body is not a JSON object with a
    /// usage member (an error body, or the free count-tokens endpoint).
    ///
    /// For `.geminiStreamGenerateContent` the body may also be the whole streamed JSON array; the
    /// last element with `usageMetadata` wins.
    public static func fromResponseBody(_ body: ByteBuffer, endpoint: Endpoint) -> ExtractedResponse? {
        guard endpoint.isBillable else { return nil }
        if endpoint == .geminiStreamGenerateContent, firstNonSpace(body) == UInt8(ascii: "[") {
            var tracker = GeminiArrayStreamTracker()
            tracker.observe(body)
            tracker.finish()
            return tracker.usage.map { ExtractedResponse(usage: $0, responseID: tracker.responseID, model: tracker.model) }
        }
        return body.withUnsafeReadableBytes { bytes in extract(bytes, endpoint: endpoint) }
    }

    private static func extract(_ bytes: UnsafeRawBufferPointer, endpoint: Endpoint) -> ExtractedResponse? {
        guard let layout = try? JSONScanner.scanObject(bytes) else { return nil }
        func member(_ key: String) -> JSONMember? { layout.members.last { $0.key == key } }
        func slice(_ member: JSONMember) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: bytes[member.valueRange]) }
        func string(_ key: String) -> String? {
            guard let member = member(key), member.kind == .string else { return nil }
            return JSONText.unescape(bytes, member.valueRange.lowerBound + 1..<member.valueRange.upperBound - 1)
        }

        /// The usage member `key`, read with `read`; nil when absent or not a usage object.
        func usage(_ key: String, nested: [String] = [], _ read: (UsageCounts) throws(UsageCounts.Mismatch) -> TokenUsage) -> TokenUsage? {
            guard let member = member(key), member.kind == .object,
                  let counts = UsageCounts(slice(member), nested: nested) else { return nil }
            return try? read(counts)
        }

        switch endpoint {
        case .openaiChatCompletions, .openaiEmbeddings:
            let usage = usage("usage", nested: OpenAIChatUsage.nestedKeys) { counts throws(UsageCounts.Mismatch) in try OpenAIChatUsage(counts).tokenUsage }
            return usage.map { ExtractedResponse(usage: $0, responseID: string("id"), model: string("model"), serviceTier: string("service_tier")) }
        case .openaiResponses:
            let usage = usage("usage", nested: OpenAIResponsesUsage.nestedKeys) { counts throws(UsageCounts.Mismatch) in try OpenAIResponsesUsage(counts).tokenUsage }
            return usage.map { ExtractedResponse(usage: $0, responseID: string("id"), model: string("model"), serviceTier: string("service_tier")) }
        case .anthropicMessages:
            let usage = usage("usage", nested: AnthropicUsage.nestedKeys) { counts throws(UsageCounts.Mismatch) in try AnthropicUsage(counts).tokenUsage }
            return usage.map { ExtractedResponse(usage: $0, responseID: string("id"), model: string("model")) }
        case .geminiGenerateContent, .geminiStreamGenerateContent:
            let usage = usage("usageMetadata") { counts throws(UsageCounts.Mismatch) in try GeminiUsage(counts).tokenUsage }
            return usage.map { ExtractedResponse(usage: $0, responseID: string("responseId"), model: string("modelVersion")) }
        case .anthropicCountTokens:
            return nil
        }
    }

    private static func firstNonSpace(_ body: ByteBuffer) -> UInt8? {
        body.readableBytesView.first { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }
    }
}
