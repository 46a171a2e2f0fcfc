public import SpendwallCore

/// What a finished (non-streamed) response body says about its cost.
public struct ExtractedResponse: Sendable, Hashable {
    /// The tokens billed, normalised to disjoint kinds.
    public var usage: TokenUsage
    /// The provider's id for the response (`chatcmpl-…`, `resp_…`, `msg_…`, Gemini `responseId`).
    public var responseID: String?
    /// The model the provider reports having used (`gpt-4o-2024-08-06`, Gemini `modelVersion`).
    public var model: String?
    /// The processing tier OpenAI reports having served the request at (`service_tier`).
    public var serviceTier: String?

    /// Creates an extracted response.
    public init(usage: TokenUsage, responseID: String? = nil, model: String? = nil, serviceTier: String? = nil) {
        self.usage = usage
        self.responseID = responseID
        self.model = model
        self.serviceTier = serviceTier
    }
}
