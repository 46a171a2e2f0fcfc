/// The few facts about a request body that routing and budgeting need.
///
/// Produced by ``RequestPeeker/peek(_:endpoint:pathModel:)`` without decoding the rest of the
/// body; the body itself is forwarded as the client sent it.
public struct RequestPeek: Sendable, Hashable {
    /// The endpoint the body was sent to.
    public var endpoint: Endpoint
    /// The model as the client named it (Gemini: from the URL path).
    public var model: String
    /// Whether the client asked for a streamed response (Gemini: true for `streamGenerateContent`).
    public var stream: Bool
    /// The output-token cap the request sets, if any. Nil means the provider's default applies
    /// (for Anthropic a missing `max_tokens` is an error the provider reports; the gateway decides).
    /// Absurd values are returned as sent; the gateway bounds them.
    public var outputCap: Int64?
    /// How many completions are generated (`n`, `candidateCount`); 1 when not set.
    public var choices: Int64
    /// Whether an OpenAI chat client itself set `stream_options.include_usage: true`.
    public var clientRequestedStreamUsage: Bool
    /// Whether the body appears to contain image, audio, video, file or document parts, whose
    /// token cost cannot be bounded from the body's size. Conservative: may be true without media.
    public var hasMedia: Bool
    /// Elements in `messages` (OpenAI chat, Anthropic), `input` (Responses, embeddings: 1 for a
    /// string) or `contents` (Gemini); 0 when absent.
    public var messageCount: Int
    /// The size of the body in bytes.
    public var bodyByteCount: Int
    /// The processing tier asked for, as sent: OpenAI's `service_tier` (`auto`, `default`, `flex`,
    /// `priority`, `scale`) or Gemini's `serviceTier` / `service_tier` (`standard`, `flex`,
    /// `priority`, or `SERVICE_TIER_…`); nil when absent or null, and for Anthropic.
    public var serviceTier: String?
    /// The Responses API's `previous_response_id`: the conversation so far, kept by the provider
    /// and billed as input of this request although the body does not carry it.
    public var previousResponseID: String?

    /// Creates a peek.
    public init(
        endpoint: Endpoint,
        model: String,
        stream: Bool = false,
        outputCap: Int64? = nil,
        choices: Int64 = 1,
        clientRequestedStreamUsage: Bool = false,
        hasMedia: Bool = false,
        messageCount: Int = 0,
        bodyByteCount: Int = 0,
        serviceTier: String? = nil,
        previousResponseID: String? = nil
    ) {
        self.endpoint = endpoint
        self.model = model
        self.stream = stream
        self.outputCap = outputCap
        self.choices = choices
        self.clientRequestedStreamUsage = clientRequestedStreamUsage
        self.hasMedia = hasMedia
        self.messageCount = messageCount
        self.bodyByteCount = bodyByteCount
        self.serviceTier = serviceTier
        self.previousResponseID = previousResponseID
    }
}
