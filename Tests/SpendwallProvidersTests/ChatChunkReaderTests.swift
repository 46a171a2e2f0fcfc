import Foundation
import NIOCore
import PropertyBased
import SpendwallCore
@testable import SpendwallProviders
import Testing

/// The byte-level chat-chunk reader must track exactly what decoding `OpenAIChatChunk` tracks.
@Suite struct ChatChunkReaderTests {
    /// Strings with escapes, multi-byte text and surrogate pairs.
    static let texts = [#""Hello""#, #""line\nbreak \"quoted\"""#, #""caf\u00e9 \ud83d\ude00 ✓""#, #""""#, #""\\/\t""#]
    /// A lone surrogate: `JSONDecoder` refuses it; the reader counts it as U+FFFD, as `unescape` decodes it.
    static let loneSurrogate = #""a\ud83d""#

    static func chunk(_ picks: [Int], usage: Bool, tier: Int) -> String {
        var choices: [String] = []
        for (index, pick) in picks.enumerated() {
            let text = texts[pick % texts.count]
            let delta: String = switch pick % 5 {
            case 0: #"{"role":"assistant","content":\#(text)}"#
            case 1: #"{"refusal":\#(text),"content":null}"#
            case 2: #"{"reasoning_content":\#(text)}"#
            case 3: #"{"tool_calls":[{"index":0,"function":{"name":"f","arguments":\#(text)}},{"index":1,"function":{"arguments":\#(text)}}]}"#
            default: #"{"function_call":{"arguments":\#(text)}}"#
            }
            choices.append(#"{"index":\#(index),"delta":\#(delta),"finish_reason":null}"#)
        }
        let usageText = usage ? #","usage":{"prompt_tokens":12,"completion_tokens":7,"prompt_tokens_details":{"cached_tokens":2,"audio_tokens":1},"completion_tokens_details":{"reasoning_tokens":3}}"# : ""
        let tierText = ["", #","service_tier":"priority""#, #","service_tier":null"#][tier]
        return #"{"id":"chatcmpl-\#(picks.count)","object":"chat.completion.chunk","model":"gpt-x"\#(tierText),"choices":[\#(choices.joined(separator: ","))]\#(usageText)}"#
    }

    /// What the Decodable path made of a chunk.
    static func reference(_ data: String) -> (usage: TokenUsage?, id: String?, model: String?, tier: String?, bytes: Int)? {
        guard let chunk = WireJSON.decode(OpenAIChatChunk.self, from: data) else { return nil }
        let bytes = (chunk.choices ?? []).reduce(0) { $0 + ($1.delta?.generatedByteCount ?? 0) }
        return (chunk.usage?.tokenUsage, chunk.id, chunk.model, chunk.serviceTier, bytes)
    }

    @Test func agreesWithDecodingTheChunk() async {
        await propertyCheck(count: 300, input: Gen.int(in: 0...40).array(of: 0...4), Gen.bool, Gen.int(in: 0...2)) { picks, usage, tier in
            let data = Self.chunk(picks, usage: usage, tier: tier)
            var tracker = StreamUsageTracker(endpoint: .openaiChatCompletions, hideUsageChunk: true)
            let disposition = tracker.observe(SSEEvent(raw: ByteBuffer(string: "data: \(data)\n\n"), data: data))
            guard let expected = Self.reference(data) else {
                Issue.record("the reference could not decode \(data)")
                return
            }
            #expect(tracker.usage == expected.usage, "\(data)")
            #expect(tracker.responseID == expected.id && tracker.model == expected.model && tracker.serviceTier == expected.tier, "\(data)")
            #expect(tracker.streamedOutputBytes == Int64(expected.bytes), "\(data)")
            #expect(disposition == (usage && picks.isEmpty ? .drop : .forward), "\(data)")
        }
    }

    @Test func unescapedLengthsMatchTheDecodedStrings() {
        for text in Self.texts + [Self.loneSurrogate] {
            let bytes = Array(text.utf8)
            let count = bytes.withUnsafeBytes { JSONText.unescapedByteCount($0, 1..<bytes.count - 1) }
            let decoded = bytes.withUnsafeBytes { JSONText.unescape($0, 1..<bytes.count - 1) }
            #expect(count == decoded.utf8.count, "\(text)")
        }
    }
}

/// The byte-level Gemini chunk reader must track exactly what decoding `GeminiResponse` tracks.
@Suite struct GeminiChunkReaderTests {
    static func chunk(_ picks: [Int], usage: Bool, finish: Int) -> String {
        let candidates = picks.enumerated().map { index, pick in
            let parts = (0...(pick % 3)).map { part in #"{"text":\#(ChatChunkReaderTests.texts[(pick + part) % ChatChunkReaderTests.texts.count])}"# }
            let reason = ["", #","finishReason":"STOP""#, #","finishReason":"FINISH_REASON_UNSPECIFIED""#][finish]
            return #"{"content":{"parts":[\#(parts.joined(separator: ","))],"role":"model"}\#(reason),"index":\#(index)}"#
        }
        let usageText = usage ? #","usageMetadata":{"promptTokenCount":30,"candidatesTokenCount":9,"thoughtsTokenCount":2,"promptTokensDetails":[{"modality":"TEXT","tokenCount":20},{"modality":"AUDIO","tokenCount":10}]}"# : ""
        return #"{"candidates":[\#(candidates.joined(separator: ","))]\#(usageText),"modelVersion":"gemini-x","responseId":"r\#(picks.count)"}"#
    }

    @Test func agreesWithDecodingTheChunk() async {
        await propertyCheck(count: 300, input: Gen.int(in: 0...40).array(of: 0...3), Gen.bool, Gen.int(in: 0...2)) { picks, usage, finish in
            let data = Self.chunk(picks, usage: usage, finish: finish)
            var tracker = StreamUsageTracker(endpoint: .geminiStreamGenerateContent)
            _ = tracker.observe(SSEEvent(raw: ByteBuffer(string: "data: \(data)\n\n"), data: data))
            guard let expected = WireJSON.decode(GeminiResponse.self, from: data) else {
                Issue.record("the reference could not decode \(data)")
                return
            }
            #expect(tracker.usage == expected.usageMetadata?.tokenUsage, "\(data)")
            #expect(tracker.responseID == expected.responseId && tracker.model == expected.modelVersion, "\(data)")
            #expect(tracker.streamedOutputBytes == Int64(expected.generatedByteCount), "\(data)")
            #expect(tracker.sawTerminalEvent == expected.isFinal, "\(data)")
        }
    }
}
