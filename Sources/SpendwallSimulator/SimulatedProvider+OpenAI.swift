import HTTPTypes
import Hummingbird
import SpendwallCore

extension SimulatedProvider {
    /// `POST /v1/chat/completions`, `POST /v1/responses`, `POST /v1/embeddings`, `GET /v1/models`.
    func addOpenAIRoutes(to router: Router<SimulatorRequestContext>) {
        router.post("/v1/chat/completions") { request, context in
            try await self.chatCompletions(request, context: context)
        }
        router.post("/v1/responses") { request, context in
            try await self.responses(request, context: context)
        }
        router.post("/v1/embeddings") { request, context in
            try await self.embeddings(request, context: context)
        }
        router.get("/v1/models") { _, _ in
            self.modelList()
        }
    }

    private func chatCompletions(_ request: Request, context: SimulatorRequestContext) async throws -> Response {
        let tag = instanceTag
        let spec = EndpointSpec<ChatCompletionRequest>(
            endpoint: .chatCompletions, model: \.model, stream: { $0.stream ?? false },
            makeID: { "chatcmpl-sim-\(tag)-\($0)" }
        )
        return try await handle(request, context: context, spec: spec) { call in
            let body = call.body
            let plan = CompletionPlan(
                seed: call.seed,
                inputTokens: InputMeter.tokens(forBytes: body.messages?.count ?? 0),
                choiceCount: body.n ?? 1,
                outputCap: body.outputCap,
                reasons: config.reportsReasoning(body.model),
                cachedTokens: call.facts.cachedTokens,
                audioInputTokens: call.facts.audioTokens,
                audioOutputTokens: call.facts.audioOutputTokens
            )
            let created = Self.unixTime()
            if call.facts.stream {
                let script = OpenAIChatStream(id: call.facts.id, model: body.model, created: created, plan: plan, includeUsage: body.includesUsage, serviceTier: servedServiceTier(requested: body.service_tier))
                return streamResponse(streamPlayer(call.facts, plan: plan).body(script), facts: call.facts)
            }
            let json = OpenAIChatFormat.completion(id: call.facts.id, model: body.model, created: created, plan: plan, serviceTier: servedServiceTier(requested: body.service_tier))
            return complete(call.facts, usage: plan.usage(), json: json)
        }
    }

    private func responses(_ request: Request, context: SimulatorRequestContext) async throws -> Response {
        let tag = instanceTag
        let spec = EndpointSpec<ResponsesRequest>(
            endpoint: .responses, model: \.model, stream: { $0.stream ?? false },
            makeID: { "resp_sim\(tag)\($0)" }
        )
        return try await handle(request, context: context, spec: spec) { call in
            let body = call.body
            let plan = CompletionPlan(
                seed: call.seed,
                inputTokens: InputMeter.tokens(forBytes: body.inputBytes),
                outputCap: body.max_output_tokens,
                reasons: config.reportsReasoning(body.model),
                cachedTokens: call.facts.cachedTokens
            )
            let format = OpenAIResponsesFormat(id: call.facts.id, model: body.model, created: Self.unixTime(), maxOutputTokens: body.max_output_tokens, plan: plan, serviceTier: servedServiceTier(requested: body.service_tier))
            if call.facts.stream {
                return streamResponse(streamPlayer(call.facts, plan: plan).body(OpenAIResponsesStream(format: format)), facts: call.facts)
            }
            return complete(call.facts, usage: plan.usage(), json: format.response(finished: true))
        }
    }

    private func embeddings(_ request: Request, context: SimulatorRequestContext) async throws -> Response {
        let tag = instanceTag
        let spec = EndpointSpec<EmbeddingsRequest>(
            endpoint: .embeddings, model: \.model, stream: { _ in false },
            makeID: { "embd-sim-\(tag)-\($0)" }
        )
        return try await handle(request, context: context, spec: spec) { call in
            let body = call.body
            let dimensions = body.dimensions.map { min(max(1, $0), 8192) } ?? EmbeddingsFormat.defaultDimensions(model: body.model)
            let json = EmbeddingsFormat.response(
                model: body.model,
                inputs: body.input,
                dimensions: dimensions,
                base64: body.encoding_format == "base64"
            )
            let total = body.input.tokenCounts.reduce(0, +)
            return complete(call.facts, usage: .init(input: Int64(total)), json: json)
        }
    }

    private func modelList() -> Response {
        let models = ["gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-4.1-mini", "gpt-5", "gpt-5-mini", "o3", "o4-mini", "text-embedding-3-small", "text-embedding-3-large"]
        let data = models.map { #"{"id":"\#($0)","object":"model","created":1700000000,"owned_by":"spendwall-simulator"}"# }
        var headers = HTTPFields()
        headers[.spendwallSimulated] = "true"
        headers[.contentType] = "application/json"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: #"{"object":"list","data":[\#(data.joined(separator: ","))]}"#)))
    }
}
