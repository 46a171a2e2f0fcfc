import Foundation
import NIOCore
import PropertyBased
import SpendwallCore
@testable import SpendwallProviders
import Testing

/// The byte-level usage reader must read exactly what decoding the `Decodable` usage shapes (which
/// the stream trackers still use) reads, including refusing the same malformed objects.
@Suite struct UsageCountsTests {
    static func viaReader(_ usage: String, _ endpoint: Endpoint) -> TokenUsage? {
        let key = endpoint == .geminiGenerateContent ? "usageMetadata" : "usage"
        return UsageExtractor.fromResponseBody(buffer(#"{"id":"x",""# + key + #"":"# + usage + "}"), endpoint: endpoint)?.usage
    }

    static func viaDecodable(_ usage: String, _ endpoint: Endpoint) -> TokenUsage? {
        let data = Data(usage.utf8)
        switch endpoint {
        case .openaiChatCompletions: return (try? JSONDecoder().decode(OpenAIChatUsage.self, from: data))?.tokenUsage
        case .openaiResponses: return (try? JSONDecoder().decode(OpenAIResponsesUsage.self, from: data))?.tokenUsage
        case .anthropicMessages: return (try? JSONDecoder().decode(AnthropicUsage.self, from: data))?.tokenUsage
        default: return (try? JSONDecoder().decode(GeminiUsage.self, from: data))?.tokenUsage
        }
    }

    static let keys: [Endpoint: (flat: [String], nested: [String: [String]])] = [
        .openaiChatCompletions: (["prompt_tokens", "completion_tokens", "total_tokens"], ["prompt_tokens_details": ["cached_tokens", "audio_tokens"], "completion_tokens_details": ["reasoning_tokens"]]),
        .openaiResponses: (["input_tokens", "output_tokens"], ["input_tokens_details": ["cached_tokens"], "output_tokens_details": ["reasoning_tokens"]]),
        .anthropicMessages: (["input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens"], ["cache_creation": ["ephemeral_5m_input_tokens", "ephemeral_1h_input_tokens"]]),
        .geminiGenerateContent: (["promptTokenCount", "candidatesTokenCount", "cachedContentTokenCount", "thoughtsTokenCount", "toolUsePromptTokenCount"], [:]),
    ]

    /// Values a provider might send for a count, well-formed or not.
    static let values = ["0", "7", "1024", "null", "-3", "12.0", "1e3", "2.5", "\"9\"", "true", "9223372036854775807", "9223372036854775808", "[]", "{}"]

    @Test func agreesWithDecodableOnGeneratedUsageObjects() async {
        let endpoints: [Endpoint] = [.openaiChatCompletions, .openaiResponses, .anthropicMessages, .geminiGenerateContent]
        await propertyCheck(count: 400, input: Gen.int(in: 0...3), Gen.int(in: 0...(Self.values.count * 2)).array(of: 0...9)) { which, picks in
            let endpoint = endpoints[which]
            let (flat, nested) = Self.keys[endpoint]!
            var members: [String] = []
            for (index, pick) in picks.enumerated() {
                // Mostly well-formed counts; sometimes a value from the odd list.
                let value = pick < Self.values.count ? Self.values[pick] : String(pick * 37)
                let nestedKeys = nested.keys.sorted()
                if index % 3 == 2, !nestedKeys.isEmpty {
                    let parent = nestedKeys[pick % nestedKeys.count]
                    let inner = nested[parent]!
                    let body = pick % 5 == 0 ? "null" : "{\"\(inner[pick % inner.count])\":\(value)}"
                    members.append("\"\(parent)\":\(body)")
                } else {
                    members.append("\"\(flat[pick % flat.count])\":\(value)")
                }
            }
            let usage = "{" + members.joined(separator: ",") + "}"
            #expect(Self.viaReader(usage, endpoint) == Self.viaDecodable(usage, endpoint), "\(endpoint) \(usage)")
        }
    }

    /// Gemini's per-modality lists, well-formed or not, read the same both ways.
    @Test func geminiModalityListsAgreeWithDecodable() async {
        let entries = [#"{"modality":"AUDIO","tokenCount":7}"#, #"{"modality":"TEXT","tokenCount":5}"#, #"{"modality":"AUDIO"}"#,
                       #"{"tokenCount":3}"#, "null", "1", #"{"modality":1,"tokenCount":2}"#, #"{"modality":"AUDIO","tokenCount":"2"}"#]
        let lists = ["promptTokensDetails", "cacheTokensDetails", "candidatesTokensDetails"]
        await propertyCheck(count: 300, input: Gen.int(in: 0...(entries.count + 1)).array(of: 0...4), Gen.int(in: 0...2)) { picks, which in
            let list = picks.isEmpty ? "null" : "[" + picks.map { $0 < entries.count ? entries[$0] : " " + entries[0] + " " }.joined(separator: ", ") + "]"
            let usage = #"{"promptTokenCount":40,"candidatesTokenCount":20,"cachedContentTokenCount":4,"\#(lists[which])":\#(list)}"#
            #expect(Self.viaReader(usage, .geminiGenerateContent) == Self.viaDecodable(usage, .geminiGenerateContent), "\(usage)")
        }
    }

    @Test func audioTokensAreSplitOut() {
        // OpenAI: audio is inside prompt_tokens and completion_tokens.
        let chat = #"{"prompt_tokens":100,"completion_tokens":50,"prompt_tokens_details":{"cached_tokens":10,"audio_tokens":60},"completion_tokens_details":{"reasoning_tokens":5,"audio_tokens":30}}"#
        #expect(Self.viaReader(chat, .openaiChatCompletions) == TokenUsage(input: 30, cachedInput: 10, output: 15, reasoning: 5, audioInput: 60, audioOutput: 30))
        // Gemini: prompt AUDIO less cached AUDIO is audio input; candidates AUDIO is audio output.
        let gemini = #"{"promptTokenCount":100,"candidatesTokenCount":40,"cachedContentTokenCount":20,"promptTokensDetails":[{"modality":"TEXT","tokenCount":30},{"modality":"AUDIO","tokenCount":70}],"cacheTokensDetails":[{"modality":"AUDIO","tokenCount":20}],"candidatesTokensDetails":[{"modality":"AUDIO","tokenCount":25},{"modality":"TEXT","tokenCount":15}]}"#
        #expect(Self.viaReader(gemini, .geminiGenerateContent) == TokenUsage(input: 30, cachedInput: 20, output: 15, audioInput: 50, audioOutput: 25))
    }

    @Test func readsCountsAndRefusesWhatIsNotACount() {
        #expect(Self.viaReader(#"{"prompt_tokens":10,"completion_tokens":4}"#, .openaiChatCompletions) == TokenUsage(input: 10, output: 4))
        #expect(Self.viaReader(#"{"prompt_tokens":null,"completion_tokens":4,"prompt_tokens_details":null}"#, .openaiChatCompletions) == TokenUsage(output: 4))
        #expect(Self.viaReader(#"{"prompt_tokens":"10"}"#, .openaiChatCompletions) == nil)
        #expect(Self.viaReader(#"{"prompt_tokens":2.5}"#, .openaiChatCompletions) == nil)
        #expect(Self.viaReader(#"{"prompt_tokens":9223372036854775808}"#, .openaiChatCompletions) == nil)
        #expect(Self.viaReader(#"{"prompt_tokens_details":[]}"#, .openaiChatCompletions) == nil)
        #expect(Self.viaReader(#"[1]"#, .openaiChatCompletions) == nil)
        #expect(Self.viaReader(#""usage""#, .anthropicMessages) == nil)
        #expect(Self.viaReader(#"{"input_tokens":1,"input_tokens":6}"#, .anthropicMessages) == TokenUsage(input: 1))
        #expect(Self.viaReader(#"{"cache_creation_input_tokens":10,"cache_creation":{"ephemeral_1h_input_tokens":4}}"#, .anthropicMessages) == TokenUsage(cacheWrite: 6, extendedCacheWrite: 4))
    }
}
