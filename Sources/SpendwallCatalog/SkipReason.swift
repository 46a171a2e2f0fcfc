/// Why an entry of a LiteLLM price file was not imported. Skipping is normal: the upstream file
/// prices thousands of models of providers Spendwall does not proxy.
public enum SkipReason: String, Sendable, Hashable, CaseIterable, Codable {
    /// The entry is not a JSON object.
    case notAnObject = "not_an_object"
    /// `litellm_provider` is not openai, text-completion-openai, anthropic or gemini
    /// (this includes LiteLLM's `sample_spec` documentation entry).
    case otherProvider = "other_provider"
    /// `mode` is not chat, responses, embedding or completion (e.g. image generation).
    case unsupportedMode = "unsupported_mode"
    /// The entry lacks `input_cost_per_token` or `output_cost_per_token`, so it is not billed
    /// per token (e.g. per image or per session).
    case noTokenPrices = "no_token_prices"
}
