public import HTTPTypes
import Hummingbird

extension HTTPField.Name {
    // Literal, valid field names: the initialiser cannot fail for them.
    /// Marks every simulator response: `x-spendwall-simulated: true`.
    public static let spendwallSimulated = HTTPField.Name("x-spendwall-simulated")!
    /// Request header injecting a fault (`status=NNN`, `break-after=K`, `end-after=K`, `hang`).
    public static let simulatorFault = HTTPField.Name("x-simulator-fault")!
    /// Request header: report this many input tokens as read from the prompt cache.
    public static let simulatorCachedTokens = HTTPField.Name("x-simulator-cached-tokens")!
    /// Request header: report this many input tokens as written to the prompt cache (Anthropic).
    public static let simulatorCacheWriteTokens = HTTPField.Name("x-simulator-cache-write-tokens")!
    /// Request header: report this many input tokens as written to the extended, 1-hour prompt
    /// cache (Anthropic's `cache_creation.ephemeral_1h_input_tokens`).
    public static let simulatorExtendedCacheWriteTokens = HTTPField.Name("x-simulator-extended-cache-write-tokens")!
    /// Request header: report this many uncached input tokens as audio (OpenAI chat
    /// `prompt_tokens_details.audio_tokens`, Gemini `promptTokensDetails` `AUDIO`).
    public static let simulatorAudioTokens = HTTPField.Name("x-simulator-audio-tokens")!
    /// Request header: generate this many audio output tokens (OpenAI chat
    /// `completion_tokens_details.audio_tokens`), counted once per call.
    public static let simulatorAudioOutputTokens = HTTPField.Name("x-simulator-audio-output-tokens")!
    /// Request header: pause this many milliseconds between stream chunks (0–10,000), instead of
    /// the configured `inter_chunk_delay_ms`: a slow stream for one call.
    public static let simulatorChunkDelay = HTTPField.Name("x-simulator-chunk-delay-ms")!
    static let anthropicAPIKey = HTTPField.Name("x-api-key")!
    static let googleAPIKey = HTTPField.Name("x-goog-api-key")!
    static let openAIRequestID = HTTPField.Name("x-request-id")!
    static let anthropicRequestID = HTTPField.Name("request-id")!
}
