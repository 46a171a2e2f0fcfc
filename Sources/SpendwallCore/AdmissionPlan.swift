/// What the gateway knows about a request before admitting it.
public struct AdmissionInput: Sendable, Hashable {
    /// Size of the request body as forwarded, in bytes.
    public var bodyBytes: Int64
    /// The body carries images, audio, files or documents, whose token count bytes do not bound.
    public var hasMedia: Bool
    /// The output cap the client asked for, if any.
    public var requestedOutputCap: Int64?
    /// The cap to write into the request when the client gave none.
    public var defaultOutputCap: Int64
    /// Number of completions generated (`n`).
    public var choices: Int64
    /// False for endpoints that produce no output tokens (embeddings).
    public var producesOutput: Bool
    /// Input tokens the provider adds from state it keeps (the conversation a Responses API
    /// `previous_response_id` continues), which the body does not carry.
    public var priorContextTokens: Int64

    public init(
        bodyBytes: Int64, hasMedia: Bool, requestedOutputCap: Int64?, defaultOutputCap: Int64, choices: Int64, producesOutput: Bool,
        priorContextTokens: Int64 = 0
    ) {
        self.bodyBytes = bodyBytes
        self.hasMedia = hasMedia
        self.requestedOutputCap = requestedOutputCap
        self.defaultOutputCap = defaultOutputCap
        self.choices = choices
        self.producesOutput = producesOutput
        self.priorContextTokens = priorContextTokens
    }
}

/// How a request will be admitted: the bounds its hold covers.
public struct AdmissionPlan: Sendable, Hashable {
    /// Upper bound on input tokens.
    public var inputTokenBound: Int64
    /// The output cap the provider will enforce.
    public var outputCap: Int64
    /// True when the gateway must write `outputCap` into the forwarded request.
    public var mustWriteOutputCap: Bool
    /// The worst-case cost: the hold.
    public var hold: Money
}

/// Why a request cannot be admitted regardless of budgets.
public struct AdmissionError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

extension AdmissionPlan {
    /// The largest output cap accepted when the catalog does not know the model's maximum.
    public static let fallbackMaxOutputTokens: Int64 = 1_000_000
    /// Extra tokens allowed on top of the body size for chat framing the body does not show.
    public static let framingAllowance: Int64 = 64

    /// Plans a request's admission.
    ///
    /// The input bound rests on a fact of byte-level BPE tokenizers: a token covers at least one
    /// byte of text, so a body of `b` bytes holds at most `b` tokens of text (the JSON syntax
    /// around the text more than covers chat framing tokens). Media parts are priced by tiles
    /// or seconds, not bytes, so a body with media is bounded by the model's context window.
    /// Context the provider keeps (`priorContextTokens`) is added, as its ledger row counted it.
    public static func make(input: AdmissionInput, model: ModelPrice) throws(AdmissionError) -> AdmissionPlan {
        let maxOutput = model.maxOutputTokens ?? fallbackMaxOutputTokens
        let outputCap: Int64
        let mustWrite: Bool
        if !input.producesOutput {
            outputCap = 0
            mustWrite = false
        } else if let requested = input.requestedOutputCap {
            guard requested > 0 else {
                throw AdmissionError(message: "the output token cap must be a positive integer, got \(requested)")
            }
            guard requested <= maxOutput else {
                throw AdmissionError(message: "the output token cap \(requested) exceeds the maximum output of \(model.name), \(maxOutput) tokens")
            }
            outputCap = requested
            mustWrite = false
        } else {
            outputCap = max(1, min(input.defaultOutputCap, maxOutput))
            mustWrite = true
        }
        guard input.choices >= 1 else {
            throw AdmissionError(message: "the number of choices must be at least 1, got \(input.choices)")
        }
        var inputBound = input.bodyBytes.saturatingAdding(framingAllowance).saturatingAdding(max(0, input.priorContextTokens))
        if input.hasMedia {
            inputBound = max(inputBound, model.maxInputTokens ?? 2_000_000)
        } else if let maxInput = model.maxInputTokens {
            inputBound = min(inputBound, maxInput)
        }
        let hold = CostCalculator.worstCase(
            model: model, inputTokenBound: inputBound, outputTokenCap: outputCap, choices: input.choices, mediaInput: input.hasMedia
        )
        return AdmissionPlan(inputTokenBound: inputBound, outputCap: outputCap, mustWriteOutputCap: mustWrite, hold: hold)
    }
}
