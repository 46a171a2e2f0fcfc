import NIOCore
import SpendwallProviders
import Testing

@Suite struct RequestPeekerTests {
    func peek(_ body: String, _ endpoint: Endpoint, pathModel: String? = nil) throws(ProviderError) -> RequestPeek {
        try RequestPeeker.peek(buffer(body), endpoint: endpoint, pathModel: pathModel)
    }

    func error(_ body: String, _ endpoint: Endpoint, pathModel: String? = nil) -> ProviderError? {
        do {
            _ = try peek(body, endpoint, pathModel: pathModel)
            return nil
        } catch {
            return error
        }
    }

    @Test func chatCompletions() throws {
        let body = """
        {"model":"gpt-4o","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Say \\"max_tokens\\": 5"}],
         "stream":true,"stream_options":{"include_usage":true},"n":3,"max_tokens":100,"metadata":{"max_completion_tokens":"x"}}
        """
        let result = try peek(body, .openaiChatCompletions)
        #expect(result.model == "gpt-4o")
        #expect(result.stream)
        #expect(result.outputCap == 100)
        #expect(result.choices == 3)
        #expect(result.clientRequestedStreamUsage)
        #expect(!result.hasMedia)
        #expect(result.messageCount == 2)
        #expect(result.bodyByteCount == body.utf8.count)
    }

    @Test func openaiServiceTierIsRead() throws {
        #expect(try peek(#"{"model":"gpt-4o","messages":[],"service_tier":"priority"}"#, .openaiChatCompletions).serviceTier == "priority")
        #expect(try peek(#"{"model":"gpt-4o","input":"hi","service_tier":"fl\u0065x"}"#, .openaiResponses).serviceTier == "flex")
        #expect(try peek(#"{"model":"gpt-4o","messages":[],"service_tier":null}"#, .openaiChatCompletions).serviceTier == nil)
        #expect(try peek(#"{"model":"gpt-4o","messages":[]}"#, .openaiChatCompletions).serviceTier == nil)
        #expect(try peek(#"{"model":"claude-x","max_tokens":5,"messages":[],"service_tier":"auto"}"#, .anthropicMessages).serviceTier == nil)
        #expect(try peek(#"{"contents":[],"serviceTier":"SERVICE_TIER_PRIORITY"}"#, .geminiGenerateContent, pathModel: "gemini-2.5-flash").serviceTier == "SERVICE_TIER_PRIORITY")
        #expect(try peek(#"{"contents":[],"service_tier":"flex"}"#, .geminiStreamGenerateContent, pathModel: "gemini-2.5-flash").serviceTier == "flex")
        #expect(error(#"{"contents":[],"service_tier":"flex","serviceTier":"priority"}"#, .geminiGenerateContent, pathModel: "gemini-2.5-flash") != nil)
        #expect(error(#"{"model":"gpt-4o","messages":[],"service_tier":1}"#, .openaiChatCompletions)?.message.contains("service_tier") == true)
        // A tier given twice could be read differently by the provider: refused.
        #expect(error(#"{"model":"gpt-4o","messages":[],"service_tier":"default","service_tier":"priority"}"#, .openaiChatCompletions) != nil)
    }

    @Test func chatPrefersTheLargerOfBothCaps() throws {
        #expect(try peek(#"{"model":"o3","max_completion_tokens":900,"max_tokens":null}"#, .openaiChatCompletions).outputCap == 900)
        #expect(try peek(#"{"model":"o3","max_completion_tokens":90,"max_tokens":500}"#, .openaiChatCompletions).outputCap == 500)
        let plain = try peek(#"{"model":"o3","messages":[],"stream_options":null}"#, .openaiChatCompletions)
        #expect(plain.outputCap == nil)
        #expect(!plain.stream)
        #expect(plain.choices == 1)
        #expect(!plain.clientRequestedStreamUsage)
        #expect(try !peek(#"{"model":"m","stream_options":{"include_usage":false}}"#, .openaiChatCompletions).clientRequestedStreamUsage)
    }

    @Test func absurdCapsAreReturnedAsSent() throws {
        #expect(try peek(#"{"model":"m","max_tokens":1000000000000}"#, .openaiChatCompletions).outputCap == 1_000_000_000_000)
        #expect(try peek(#"{"model":"m","max_tokens":99999999999999999999999}"#, .anthropicMessages).outputCap == .max)
    }

    @Test func responses() throws {
        let result = try peek(#"{"model":"o3","input":[{"role":"user","content":[{"type":"input_image","image_url":"https://x/y.png"}]}],"max_output_tokens":2048,"stream":false}"#, .openaiResponses)
        #expect(result.model == "o3")
        #expect(result.outputCap == 2048)
        #expect(result.hasMedia)
        #expect(result.messageCount == 1)
        #expect(try peek(#"{"model":"o3","input":"Hi"}"#, .openaiResponses).messageCount == 1)
    }

    @Test func responsesStoredState() throws {
        #expect(try peek(#"{"model":"o3","input":"Hi","previous_response_id":"resp_\u0061bc"}"#, .openaiResponses).previousResponseID == "resp_abc")
        #expect(try peek(#"{"model":"o3","input":"Hi","previous_response_id":null}"#, .openaiResponses).previousResponseID == nil)
        #expect(try peek(#"{"model":"gpt-4o","messages":[],"previous_response_id":"resp_x"}"#, .openaiChatCompletions).previousResponseID == nil)
        #expect(error(#"{"model":"o3","input":"Hi","previous_response_id":7}"#, .openaiResponses)?.message.contains("previous_response_id") == true)
        #expect(error(#"{"model":"o3","input":"Hi","previous_response_id":"a","previous_response_id":"b"}"#, .openaiResponses) != nil)
        // A conversation stored at the provider cannot be bounded: refused, whatever its form.
        #expect(error(#"{"model":"o3","input":"Hi","conversation":"conv_1"}"#, .openaiResponses)?.message.contains("conversation") == true)
        #expect(error(#"{"model":"o3","input":"Hi","conversation":{"id":"conv_1"}}"#, .openaiResponses) != nil)
        #expect(try peek(#"{"model":"o3","input":"Hi","conversation":null}"#, .openaiResponses).previousResponseID == nil)
    }

    @Test func embeddings() throws {
        let result = try peek(#"{"model":"text-embedding-3-small","input":["a","b","c"],"max_tokens":"ignored"}"#, .openaiEmbeddings)
        #expect(result.outputCap == nil)
        #expect(result.messageCount == 3)
        #expect(!result.stream)
    }

    @Test func anthropic() throws {
        let body = """
        {"model":"claude-sonnet-4-5","max_tokens":1024,"stream":true,"system":"x",
         "messages":[{"role":"user","content":[{"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBOR"}}]}]}
        """
        let result = try peek(body, .anthropicMessages)
        #expect(result.model == "claude-sonnet-4-5")
        #expect(result.outputCap == 1024)
        #expect(result.stream)
        #expect(result.hasMedia)
        #expect(result.choices == 1)
        let missingCap = try peek(#"{"model":"claude-haiku-4-5","messages":[]}"#, .anthropicMessages)
        #expect(missingCap.outputCap == nil)
        let count = try peek(#"{"model":"claude-haiku-4-5","messages":[{"role":"user","content":"hi"}]}"#, .anthropicCountTokens)
        #expect(count.messageCount == 1)
    }

    @Test func gemini() throws {
        let body = #"{"contents":[{"role":"user","parts":[{"text":"hi"}]}],"generationConfig":{"temperature":0.2,"maxOutputTokens":512,"candidateCount":2}}"#
        let result = try peek(body, .geminiStreamGenerateContent, pathModel: "gemini-2.5-flash")
        #expect(result.model == "gemini-2.5-flash")
        #expect(result.stream)
        #expect(result.outputCap == 512)
        #expect(result.choices == 2)
        #expect(result.messageCount == 1)
        #expect(!result.hasMedia)
        let snake = try peek(#"{"contents":[],"generation_config":{"max_output_tokens":64,"candidate_count":1}}"#, .geminiGenerateContent, pathModel: "models/gemini-2.5-pro")
        #expect(snake.model == "gemini-2.5-pro")
        #expect(!snake.stream)
        #expect(snake.outputCap == 64)
        let media = try peek(#"{"contents":[{"parts":[{"inline_data":{"mime_type":"image/jpeg","data":"/9j/"}}]}]}"#, .geminiGenerateContent, pathModel: "m")
        #expect(media.hasMedia)
        #expect(media.outputCap == nil)
    }

    @Test func mediaDetection() throws {
        let cases: [(String, Bool)] = [
            (#"{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:"}}]}]}"#, true),
            (#"{"model":"m","messages":[{"role":"user","content":[{"type":"input_audio","input_audio":{"data":"x","format":"wav"}}]}]}"#, true),
            (#"{"model":"m","messages":[{"role":"user","content":[{"type" : "document","source":{}}]}]}"#, true),
            (#"{"model":"m","messages":[{"role":"user","content":[{"type":"\u0069mage"}]}]}"#, true),
            (#"{"model":"m","contents":[{"parts":[{"fileData":{"fileUri":"gs://x"}}]}]}"#, true),
            (#"{"model":"m","messages":[{"role":"user","content":"an image of a file, \"imagery\""}]}"#, false),
        ]
        for (body, expected) in cases {
            #expect(try peek(body, .openaiChatCompletions).hasMedia == expected, "\(body)")
        }
    }

    @Test func escapedKeysAreDecoded() throws {
        #expect(try peek(#"{"model":"m","max\u005ftokens":7}"#, .anthropicMessages).outputCap == 7)
        #expect(try peek(#"{"mo\u0064el":"gpt-\u00e9"}"#, .openaiChatCompletions).model == "gpt-é")
    }

    @Test func invalidJSON() {
        for body in ["", "   ", "[]", "\"x\"", "{", #"{"model":"m",}"#, #"{"model":"m"} x"#, #"{"model":'m'}"#,
                     #"{"model":"m","a":[1,,2]}"#, #"{"model":"m","a":01}"#, #"{"model":"m\u12"}"#, "{\"model\":\"a\u{01}\"}",
                     #"{"model":"m","a":tru}"#, #"{"model":"m","a":1.}"#, String(repeating: "[", count: 300)] {
            #expect(error(body, .openaiChatCompletions)?.code == .invalidJSON, "\(body)")
        }
        let deep = #"{"model":"m","a":"# + String(repeating: "[", count: 300) + String(repeating: "]", count: 300) + "}"
        #expect(error(deep, .openaiChatCompletions)?.code == .invalidJSON)
    }

    @Test func invalidRequests() {
        let cases: [(String, Endpoint, String)] = [
            (#"{"messages":[]}"#, .openaiChatCompletions, "model"),
            (#"{"model":42}"#, .openaiChatCompletions, "model"),
            (#"{"model":""}"#, .anthropicMessages, "model"),
            (#"{"model":null}"#, .openaiResponses, "model"),
            (#"{"model":"m","stream":"yes"}"#, .openaiChatCompletions, "stream"),
            (#"{"model":"m","max_tokens":0}"#, .anthropicMessages, "max_tokens"),
            (#"{"model":"m","max_tokens":-5}"#, .openaiChatCompletions, "max_tokens"),
            (#"{"model":"m","max_tokens":10.5}"#, .openaiChatCompletions, "max_tokens"),
            (#"{"model":"m","max_completion_tokens":"100"}"#, .openaiChatCompletions, "max_completion_tokens"),
            (#"{"model":"m","max_output_tokens":1e3}"#, .openaiResponses, "max_output_tokens"),
            (#"{"model":"m","n":0}"#, .openaiChatCompletions, "n"),
            (#"{"model":"m","n":129}"#, .openaiChatCompletions, "n"),
            (#"{"model":"m","stream_options":true}"#, .openaiChatCompletions, "stream_options"),
            (#"{"model":"m","stream_options":{"include_usage":1}}"#, .openaiChatCompletions, "stream_options.include_usage"),
            (#"{"model":"m","max_tokens":10,"max_tokens":100000}"#, .anthropicMessages, "max_tokens"),
            (#"{"model":"a","model":"b"}"#, .openaiChatCompletions, "model"),
            (#"{"generationConfig":[]}"#, .geminiGenerateContent, "generationConfig"),
            (#"{"generationConfig":{"maxOutputTokens":"8"}}"#, .geminiGenerateContent, "generationConfig.maxOutputTokens"),
            (#"{"generationConfig":{"candidateCount":500}}"#, .geminiGenerateContent, "generationConfig.candidateCount"),
            (#"{"generationConfig":{"maxOutputTokens":8,"max_output_tokens":9000}}"#, .geminiGenerateContent, "generationConfig.max_output_tokens"),
            (#"{"generationConfig":{},"generation_config":{}}"#, .geminiGenerateContent, "generation_config"),
        ]
        for (body, endpoint, field) in cases {
            let failure = error(body, endpoint, pathModel: "gemini-2.5-pro")
            #expect(failure?.code == .invalidRequest, "\(body)")
            #expect(failure?.field == field, "\(body)")
            #expect(failure?.message.contains(field) == true, "\(body)")
        }
        #expect(error("{}", .geminiGenerateContent, pathModel: nil)?.field == "model")
        #expect(error("{}", .geminiGenerateContent, pathModel: "models/")?.field == "model")
    }

    @Test func errorCodesAreStable() {
        #expect(ProviderError.Code.invalidJSON.rawValue == "invalid_json")
        #expect(ProviderError.Code.invalidRequest.rawValue == "invalid_request")
        #expect(ProviderError(code: .invalidRequest, message: "x").description == "invalid_request: x")
    }

    @Test func peeksARealisticBodyQuickly() throws {
        let message = #"{"role":"user","content":"Lorem ipsum dolor sit amet, \"consectetur\" adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat. \u00e9\n"}"#
        let body = buffer(#"{"model":"gpt-4o","messages":["# + Array(repeating: message, count: 16).joined(separator: ",") + #"],"max_tokens":64}"#)
        let clock = ContinuousClock()
        let iterations = 200
        let elapsed = try clock.measure {
            for _ in 0..<iterations { _ = try RequestPeeker.peek(body, endpoint: .openaiChatCompletions, pathModel: nil) }
        }
        // Generous even for debug builds; the point is to catch accidental quadratic behaviour.
        #expect(elapsed / iterations < .milliseconds(5))
        #expect(try RequestPeeker.peek(body, endpoint: .openaiChatCompletions, pathModel: nil).messageCount == 16)
    }
}
