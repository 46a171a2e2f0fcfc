import Foundation
import NIOCore
import SpendwallProviders
import Testing

@Suite struct RequestRewriterTests {
    func capped(_ body: String, _ endpoint: Endpoint, _ cap: Int64) throws -> String {
        string(try RequestRewriter.setOutputCap(buffer(body), endpoint: endpoint, cap: cap))
    }

    /// Parses `original`, applies `change`, and compares with the parse of `rewritten`.
    func expectSameJSON(_ rewritten: String, as original: String, _ change: (NSMutableDictionary) -> Void, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let parsed = jsonObject(buffer(rewritten)), let base = jsonObject(buffer(original)) else {
            Issue.record("not a JSON object: \(rewritten)", sourceLocation: sourceLocation)
            return
        }
        let expected = base.mutableCopy() as! NSMutableDictionary
        change(expected)
        #expect(parsed.isEqual(expected), "\(rewritten)", sourceLocation: sourceLocation)
    }

    @Test func chatInsertsMaxCompletionTokensKeepingEveryOtherByte() throws {
        let body = """
        {
          "model" : "gpt-4o",
          "messages": [{"role": "user", "content": "set \\"max_tokens\\": 9 {please}"}],
          "metadata": {"max_completion_tokens": "not this one"}
        }
        """
        let rewritten = try capped(body, .openaiChatCompletions, 512)
        #expect(rewritten == """
        {
          "model" : "gpt-4o",
          "messages": [{"role": "user", "content": "set \\"max_tokens\\": 9 {please}"}],
          "metadata": {"max_completion_tokens": "not this one"},"max_completion_tokens":512
        }
        """)
        expectSameJSON(rewritten, as: body) { $0["max_completion_tokens"] = 512 }
    }

    @Test func chatReplacesTheFieldsTheClientUsed() throws {
        #expect(try capped(#"{"model":"gpt-4o","max_tokens": 4000 ,"n":1}"#, .openaiChatCompletions, 100)
            == #"{"model":"gpt-4o","max_tokens": 100 ,"n":1}"#)
        #expect(try capped(#"{"max_completion_tokens":null,"model":"o3"}"#, .openaiChatCompletions, 100)
            == #"{"max_completion_tokens":100,"model":"o3"}"#)
        #expect(try capped(#"{"model":"o3","max_tokens":null}"#, .openaiChatCompletions, 100)
            == #"{"model":"o3","max_tokens":null,"max_completion_tokens":100}"#)
        #expect(try capped(#"{"max_tokens":5,"max_completion_tokens":9000,"model":"o3"}"#, .openaiChatCompletions, 77)
            == #"{"max_tokens":77,"max_completion_tokens":77,"model":"o3"}"#)
    }

    @Test func emptyObjectGetsTheFieldWithoutAComma() throws {
        #expect(try capped("{ }", .anthropicMessages, 1) == #"{"max_tokens":1 }"#)
        #expect(try capped("{}", .openaiResponses, 1) == #"{"max_output_tokens":1}"#)
    }

    @Test func responsesAndAnthropic() throws {
        let responses = #"{"model":"o3","input":"hi","max_output_tokens":null}"#
        #expect(try capped(responses, .openaiResponses, 2048) == #"{"model":"o3","input":"hi","max_output_tokens":2048}"#)
        let anthropic = "{\"model\":\"claude\",\r\n\t\"max_tokens\":\t64000,\"messages\":[{\"role\":\"user\",\"content\":\"\\u00e9\"}]}"
        let rewritten = try capped(anthropic, .anthropicMessages, 1024)
        #expect(rewritten == "{\"model\":\"claude\",\r\n\t\"max_tokens\":\t1024,\"messages\":[{\"role\":\"user\",\"content\":\"\\u00e9\"}]}")
        expectSameJSON(rewritten, as: anthropic) { $0["max_tokens"] = 1024 }
    }

    @Test func embeddingsAndCountTokensAreUnchanged() throws {
        let body = buffer(#"{"model":"text-embedding-3-small","input":"x"}"#)
        #expect(try RequestRewriter.setOutputCap(body, endpoint: .openaiEmbeddings, cap: 5) == body)
        #expect(try RequestRewriter.setOutputCap(body, endpoint: .anthropicCountTokens, cap: 5) == body)
    }

    @Test func geminiCreatesOrExtendsGenerationConfig() throws {
        let bare = #"{"contents":[{"parts":[{"text":"\"generationConfig\":{}"}]}]}"#
        let created = try capped(bare, .geminiGenerateContent, 256)
        #expect(created == #"{"contents":[{"parts":[{"text":"\"generationConfig\":{}"}]}],"generationConfig":{"maxOutputTokens":256}}"#)
        expectSameJSON(created, as: bare) { $0["generationConfig"] = ["maxOutputTokens": 256] }

        let withConfig = #"{"generationConfig": {"temperature": 0.5, "stopSequences": ["}"]}, "contents": []}"#
        let extended = try capped(withConfig, .geminiStreamGenerateContent, 256)
        #expect(extended == #"{"generationConfig": {"temperature": 0.5, "stopSequences": ["}"],"maxOutputTokens":256}, "contents": []}"#)
        expectSameJSON(extended, as: withConfig) { $0["generationConfig"] = ["temperature": 0.5, "stopSequences": ["}"], "maxOutputTokens": 256] }

        #expect(try capped(#"{"generationConfig":{},"contents":[]}"#, .geminiGenerateContent, 9)
            == #"{"generationConfig":{"maxOutputTokens":9},"contents":[]}"#)
        #expect(try capped(#"{"generationConfig":null}"#, .geminiGenerateContent, 9)
            == #"{"generationConfig":{"maxOutputTokens":9}}"#)
        #expect(try capped(#"{"generationConfig":{"maxOutputTokens":65536,"topK":1}}"#, .geminiGenerateContent, 9)
            == #"{"generationConfig":{"maxOutputTokens":9,"topK":1}}"#)
        #expect(try capped(#"{"generationConfig":{"maxOutputTokens":null}}"#, .geminiGenerateContent, 9)
            == #"{"generationConfig":{"maxOutputTokens":9}}"#)
        #expect(try capped(#"{"generation_config":{"temperature":1}}"#, .geminiGenerateContent, 9)
            == #"{"generation_config":{"temperature":1,"max_output_tokens":9}}"#)
        #expect(try capped(#"{"generation_config":{"max_output_tokens":100}}"#, .geminiGenerateContent, 9)
            == #"{"generation_config":{"max_output_tokens":9}}"#)
    }

    @Test func cappedBodiesPeekAsCapped() throws {
        let bodies: [(String, Endpoint)] = [
            (#"{"model":"m","messages":[]}"#, .openaiChatCompletions),
            (#"{"model":"m","max_tokens":99999}"#, .openaiChatCompletions),
            (#"{"model":"m","input":[]}"#, .openaiResponses),
            (#"{"model":"m","max_tokens":99999,"messages":[]}"#, .anthropicMessages),
            (#"{"contents":[]}"#, .geminiGenerateContent),
            (#"{"generationConfig":{"candidateCount":2}}"#, .geminiStreamGenerateContent),
        ]
        for (body, endpoint) in bodies {
            let rewritten = try RequestRewriter.setOutputCap(buffer(body), endpoint: endpoint, cap: 321)
            #expect(try RequestPeeker.peek(rewritten, endpoint: endpoint, pathModel: "g").outputCap == 321, "\(body)")
        }
    }

    @Test func enableStreamUsage() throws {
        func enabled(_ body: String) throws -> String { string(try RequestRewriter.enableStreamUsage(buffer(body))) }
        let plain = #"{"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"\"stream_options\": {}"}]}"#
        let inserted = try enabled(plain)
        #expect(inserted == #"{"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"\"stream_options\": {}"}],"stream_options":{"include_usage":true}}"#)
        expectSameJSON(inserted, as: plain) { $0["stream_options"] = ["include_usage": true] }

        #expect(try enabled(#"{"stream_options":null,"model":"m"}"#) == #"{"stream_options":{"include_usage":true},"model":"m"}"#)
        #expect(try enabled(#"{"stream_options":{},"model":"m"}"#) == #"{"stream_options":{"include_usage":true},"model":"m"}"#)
        #expect(try enabled(#"{"stream_options":{"include_obfuscation":false}}"#) == #"{"stream_options":{"include_obfuscation":false,"include_usage":true}}"#)
        #expect(try enabled(#"{"stream_options":{"include_usage":false}}"#) == #"{"stream_options":{"include_usage":true}}"#)
        #expect(try enabled(#"{"stream_options":{"include_usage": null }}"#) == #"{"stream_options":{"include_usage": true }}"#)
        let already = buffer(#"{"stream_options":{"include_usage":true}}"#)
        #expect(try RequestRewriter.enableStreamUsage(already) == already)

        let peek = try RequestPeeker.peek(buffer(inserted), endpoint: .openaiChatCompletions, pathModel: nil)
        #expect(peek.clientRequestedStreamUsage)
    }

    @Test func rewritesRefuseInvalidBodies() {
        #expect(throws: ProviderError.self) { try RequestRewriter.enableStreamUsage(buffer("{")) }
        #expect(throws: ProviderError.self) { try RequestRewriter.setOutputCap(buffer("[1]"), endpoint: .anthropicMessages, cap: 1) }
    }
}
