import SpendwallCore
import SpendwallProviders
import Testing

@Suite struct EndpointTests {
    @Test func providersAndBilling() {
        #expect(Endpoint.openaiResponses.provider == .openai)
        #expect(Endpoint.anthropicCountTokens.provider == .anthropic)
        #expect(Endpoint.geminiStreamGenerateContent.provider == .gemini)
        #expect(!Endpoint.anthropicCountTokens.isBillable)
        #expect(Endpoint.allCases.filter(\.isBillable).count == 6)
        #expect(Endpoint.openaiEmbeddings.modelMode == .embedding)
    }

    @Test func upstreamPaths() {
        #expect(Endpoint.openaiChatCompletions.upstreamPath() == "/v1/chat/completions")
        #expect(Endpoint.anthropicCountTokens.upstreamPath() == "/v1/messages/count_tokens")
        #expect(Endpoint.geminiGenerateContent.upstreamPath(model: "models/gemini-2.5-pro") == "/v1beta/models/gemini-2.5-pro:generateContent")
        #expect(Endpoint.geminiStreamGenerateContent.upstreamPath(model: "gemini-2.5-flash", geminiVersion: "v1")
            == "/v1/models/gemini-2.5-flash:streamGenerateContent")
    }

    @Test func routes() {
        #expect(EndpointRoute(path: "/v1/chat/completions") == EndpointRoute(endpoint: .openaiChatCompletions))
        #expect(EndpointRoute(path: "/v1/messages/")?.endpoint == .anthropicMessages)
        let gemini = EndpointRoute(path: "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse")
        #expect(gemini == EndpointRoute(endpoint: .geminiStreamGenerateContent, pathModel: "gemini-2.5-flash", geminiVersion: "v1beta"))
        #expect(EndpointRoute(path: "/v1beta/models/gemini-2.5-flash:countTokens") == nil)
        #expect(EndpointRoute(path: "/v1beta/models/:generateContent") == nil)
        #expect(EndpointRoute(path: "/v2/other") == nil)
    }
}
