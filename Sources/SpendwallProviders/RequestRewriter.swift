public import NIOCore
import SpendwallCore

/// Byte-level rewrites of a request body. Every byte the rewrite does not change is copied from the
/// client's body as it was: no decode and re-encode, so key order, whitespace, number spelling and
/// unknown fields reach the provider untouched.
///
/// ```swift
/// // {"model":"gpt-4o","messages":[]}  →  {"model":"gpt-4o","messages":[],"max_completion_tokens":512}
/// let capped = try RequestRewriter.setOutputCap(body, endpoint: .openaiChatCompletions, cap: 512)
/// ```
///
/// Both functions validate the body as ``RequestPeeker`` does and throw the same errors.
public enum RequestRewriter {
    /// Sets the output-token cap in the field `endpoint` reads it from.
    ///
    /// - OpenAI chat: every `max_completion_tokens` / `max_tokens` that holds a number is set to
    ///   `cap`; when neither does, `max_completion_tokens` is written (all current OpenAI chat models
    ///   accept it; reasoning models reject `max_tokens`).
    /// - OpenAI responses: `max_output_tokens`. Anthropic: `max_tokens`.
    /// - Gemini: `generationConfig.maxOutputTokens` (or the snake_case spellings the client used),
    ///   creating `generationConfig` when absent or null.
    /// - Embeddings and count-tokens: the body is returned unchanged.
    ///
    /// A field present with `null` has its value replaced; no key is ever duplicated.
    public static func setOutputCap(_ body: ByteBuffer, endpoint: Endpoint, cap: Int64) throws(ProviderError) -> ByteBuffer {
        let value = Array(String(cap).utf8)
        return try rewrite(body) { bytes throws(ProviderError) -> [ByteEdit] in
            switch endpoint {
            case .openaiEmbeddings, .anthropicCountTokens:
                return []
            case .openaiChatCompletions:
                let layout = try JSONScanner.scanObject(bytes)
                let numeric = layout.members.filter {
                    ($0.key == "max_completion_tokens" || $0.key == "max_tokens") && $0.kind != .null
                }
                if !numeric.isEmpty { return numeric.map { ByteEdit(replacing: $0.valueRange, with: value) } }
                return ByteEdit.set("max_completion_tokens", to: value, in: layout.members, object: layout.range)
            case .openaiResponses:
                let layout = try JSONScanner.scanObject(bytes)
                return ByteEdit.set("max_output_tokens", to: value, in: layout.members, object: layout.range)
            case .anthropicMessages:
                let layout = try JSONScanner.scanObject(bytes)
                return ByteEdit.set("max_tokens", to: value, in: layout.members, object: layout.range)
            case .geminiGenerateContent, .geminiStreamGenerateContent:
                let layout = try JSONScanner.scanObject(bytes, descendInto: FieldNames.geminiGenerationConfig)
                let configs = layout.members.filter { FieldNames.geminiGenerationConfig.contains($0.key) }
                guard !configs.isEmpty else {
                    return ByteEdit.set("generationConfig", to: object("maxOutputTokens", value), in: layout.members, object: layout.range)
                }
                return configs.flatMap { config -> [ByteEdit] in
                    guard config.kind == .object, let members = config.members else {
                        return [ByteEdit(replacing: config.valueRange, with: object("maxOutputTokens", value))]
                    }
                    let caps = members.filter { FieldNames.geminiMaxOutputTokens.contains($0.key) }
                    if !caps.isEmpty { return caps.map { ByteEdit(replacing: $0.valueRange, with: value) } }
                    let key = config.key == "generation_config" ? "max_output_tokens" : "maxOutputTokens"
                    return ByteEdit.set(key, to: value, in: members, object: config.valueRange)
                }
            }
        }
    }

    /// Ensures `stream_options.include_usage` is `true` in an OpenAI chat body, so the stream ends
    /// with a usage chunk. Inserts `stream_options` when absent, replaces it when null, and inserts
    /// into or replaces within it otherwise. A body that already asks for usage comes back as is.
    ///
    /// Call it only for streamed requests: OpenAI rejects `stream_options` unless `stream` is true.
    /// Pair it with a ``StreamUsageTracker`` whose `hideUsageChunk` is
    /// `!peek.clientRequestedStreamUsage`, so clients that did not ask never see the usage chunk.
    public static func enableStreamUsage(_ body: ByteBuffer) throws(ProviderError) -> ByteBuffer {
        let isTrue = Array("true".utf8)
        return try rewrite(body) { bytes throws(ProviderError) -> [ByteEdit] in
            let layout = try JSONScanner.scanObject(bytes, descendInto: ["stream_options"])
            let options = layout.members.filter { $0.key == "stream_options" }
            guard !options.isEmpty else {
                return ByteEdit.set("stream_options", to: object("include_usage", isTrue), in: layout.members, object: layout.range)
            }
            return options.flatMap { option -> [ByteEdit] in
                guard option.kind == .object, let members = option.members else {
                    return [ByteEdit(replacing: option.valueRange, with: object("include_usage", isTrue))]
                }
                let flags = members.filter { $0.key == "include_usage" }
                if flags.isEmpty { return ByteEdit.set("include_usage", to: isTrue, in: members, object: option.valueRange) }
                return flags.compactMap { flag in
                    let current = UnsafeRawBufferPointer(rebasing: bytes[flag.valueRange])
                    return current.elementsEqual(isTrue) ? nil : ByteEdit(replacing: flag.valueRange, with: isTrue)
                }
            }
        }
    }

    /// Sets the top-level `model` (OpenAI, Anthropic) to `model`, for a request policy routes to
    /// another model. Gemini names the model in the path, not the body: its body comes back as is.
    public static func setModel(_ body: ByteBuffer, endpoint: Endpoint, model: String) throws(ProviderError) -> ByteBuffer {
        let value = Array(JSONQuoting.quoted(model).utf8)
        return try rewrite(body) { bytes throws(ProviderError) -> [ByteEdit] in
            switch endpoint {
            case .geminiGenerateContent, .geminiStreamGenerateContent:
                return []
            default:
                let layout = try JSONScanner.scanObject(bytes)
                return ByteEdit.set("model", to: value, in: layout.members, object: layout.range)
            }
        }
    }

    /// `{"key":value}`.
    private static func object(_ key: String, _ value: [UInt8]) -> [UInt8] {
        Array("{\"\(key)\":".utf8) + value + [UInt8(ascii: "}")]
    }

    /// Scans the body, computes edits, and splices them in. No edits: the same buffer is returned.
    private static func rewrite(
        _ body: ByteBuffer,
        _ edits: (UnsafeRawBufferPointer) throws(ProviderError) -> [ByteEdit]
    ) throws(ProviderError) -> ByteBuffer {
        let result = body.withUnsafeReadableBytes { bytes -> Result<ByteBuffer?, ProviderError> in
            do throws(ProviderError) {
                let list = try edits(bytes).sorted { $0.range.lowerBound < $1.range.lowerBound }
                guard !list.isEmpty else { return .success(nil) }
                return .success(ByteEdit.apply(list, to: bytes))
            } catch {
                return .failure(error)
            }
        }
        return try result.get() ?? body
    }
}
