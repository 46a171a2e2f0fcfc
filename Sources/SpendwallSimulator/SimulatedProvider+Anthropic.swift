import HTTPTypes
import Hummingbird
import SpendwallCore

extension SimulatedProvider {
    /// `POST /v1/messages`, `POST /v1/messages/count_tokens`.
    func addAnthropicRoutes(to router: Router<SimulatorRequestContext>) {
        router.post("/v1/messages") { request, context in
            try await self.messages(request, context: context)
        }
        router.post("/v1/messages/count_tokens") { request, context in
            try await self.countTokens(request, context: context)
        }
    }

    private func messages(_ request: Request, context: SimulatorRequestContext) async throws -> Response {
        let tag = instanceTag
        let spec = EndpointSpec<MessagesRequest>(
            endpoint: .messages, model: \.model, stream: { $0.stream ?? false },
            makeID: { "msg_sim\(tag)\($0)" }
        )
        return try await handle(request, context: context, spec: spec) { call in
            let body = call.body
            let plan = CompletionPlan(
                seed: call.seed,
                inputTokens: InputMeter.tokens(forBytes: body.inputBytes),
                outputCap: body.max_tokens,
                reasons: false,
                cachedTokens: call.facts.cachedTokens,
                cacheWriteTokens: call.facts.cacheWriteTokens,
                extendedCacheWriteTokens: call.facts.extendedCacheWriteTokens
            )
            let format = AnthropicFormat(id: call.facts.id, model: body.model, plan: plan)
            if call.facts.stream {
                return streamResponse(streamPlayer(call.facts, plan: plan).body(AnthropicStream(format: format)), facts: call.facts)
            }
            return complete(call.facts, usage: plan.usage(), json: format.message)
        }
    }

    private func countTokens(_ request: Request, context: SimulatorRequestContext) async throws -> Response {
        let tag = instanceTag
        let spec = EndpointSpec<MessagesRequest>(
            endpoint: .countTokens, model: \.model, stream: { _ in false },
            makeID: { "count_sim\(tag)\($0)" }
        )
        return try await handle(request, context: context, spec: spec) { call in
            let tokens = InputMeter.tokens(forBytes: call.body.inputBytes)
            return complete(call.facts, usage: .zero, json: #"{"input_tokens":\#(tokens)}"#)
        }
    }
}
