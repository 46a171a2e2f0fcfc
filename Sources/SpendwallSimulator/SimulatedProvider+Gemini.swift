import HTTPTypes
import Hummingbird
import SpendwallCore

extension SimulatedProvider {
    /// `POST /v1beta/models/{model}:generateContent` and `…:streamGenerateContent` (also under `/v1/`).
    ///
    /// The model and the action share one path segment, so the route captures the segment and
    /// splits it on its last colon.
    func addGeminiRoutes(to router: Router<SimulatorRequestContext>) {
        for prefix in ["/v1beta/models", "/v1/models"] {
            router.post("\(prefix)/:modelAction") { request, context in
                try await self.gemini(request, context: context)
            }
        }
    }

    /// The header Gemini reports the tier it served at in.
    static let geminiServiceTier = HTTPField.Name("x-gemini-service-tier")!

    private func gemini(_ request: Request, context: SimulatorRequestContext) async throws -> Response {
        let segment = context.parameters.get("modelAction") ?? ""
        guard let colon = segment.lastIndex(of: ":") else {
            return notFound(segment)
        }
        let model = String(segment[..<colon])
        let action = segment[segment.index(after: colon)...]
        let streams: Bool
        switch action {
        case "generateContent": streams = false
        case "streamGenerateContent": streams = true
        default: return notFound(segment)
        }
        let asSSE = request.uri.queryParameters.get("alt") == "sse"
        let tag = instanceTag
        let spec = EndpointSpec<GenerateContentRequest>(
            endpoint: streams ? .streamGenerateContent : .generateContent,
            pathModel: model, pathStream: streams,
            model: { _ in model }, stream: { _ in streams },
            makeID: { "gemsim\(tag)\($0)" }
        )
        return try await handle(request, context: context, spec: spec) { call in
            let body = call.body
            let plan = CompletionPlan(
                seed: call.seed,
                inputTokens: InputMeter.tokens(forBytes: body.inputBytes),
                choiceCount: body.generationConfig?.candidateCount ?? 1,
                outputCap: body.generationConfig?.maxOutputTokens,
                reasons: config.reportsReasoning(model),
                cachedTokens: call.facts.cachedTokens,
                audioInputTokens: call.facts.audioTokens
            )
            let format = GeminiFormat(responseID: call.facts.id, model: model, plan: plan)
            var response: Response
            if streams {
                let stream = streamPlayer(call.facts, plan: plan).body(GeminiStream(format: format, asSSE: asSSE))
                response = streamResponse(stream, facts: call.facts, contentType: asSSE ? "text/event-stream" : "application/json; charset=UTF-8")
            } else {
                response = complete(call.facts, usage: plan.usage(), json: format.fullResponse)
            }
            response.headers[Self.geminiServiceTier] = body.servedTier
            return response
        }
    }

    private func notFound(_ segment: String) -> Response {
        let json = ProviderErrorBody.json(.gemini, status: 404, message: "Unknown model action \(segment).")
        var headers = HTTPFields()
        headers[.spendwallSimulated] = "true"
        headers[.contentType] = "application/json"
        return Response(status: .notFound, headers: headers, body: .init(byteBuffer: ByteBuffer(string: json)))
    }
}
