import Foundation
import NIOCore
@testable import SpendwallServer
import SpendwallProviders
import Testing

/// The stream meter sends only whole events, so that a stream the kill switch cuts ends with a
/// well-formed error event wherever the cut falls.
@Suite struct StreamMeterTests {
    static let chatStream = [
        #"data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}"#,
        #"data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"Hello"}}]}"#,
        #"data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":" there"}}]}"#,
        "data: [DONE]",
    ].map { $0 + "\n\n" }.joined()

    static let geminiArray = #"[{"candidates":[{"content":{"parts":[{"text":"Hi ]"}]}}]},"# + "\r\n"
        + #"{"candidates":[{"content":{"parts":[{"text":"there"}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":2}}]"#

    static func bytes(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

    static func text(_ buffers: [ByteBuffer]) -> String {
        buffers.map { String(buffer: $0) }.joined()
    }

    @Test("chunks of whole events go out as received; any split of the stream sends the same bytes, none before its event is complete")
    func wholeEventsOnly() {
        var whole = StreamMeter(endpoint: .openaiChatCompletions, hideUsageChunk: false, jsonArray: false)
        #expect(String(buffer: whole.consume(Self.bytes(Self.chatStream))) == Self.chatStream)

        let bytes = Array(Self.chatStream.utf8)
        for split in 1..<bytes.count {
            var meter = StreamMeter(endpoint: .openaiChatCompletions, hideUsageChunk: false, jsonArray: false)
            let first = String(buffer: meter.consume(ByteBuffer(bytes: bytes[..<split])))
            #expect(first.isEmpty || first.hasSuffix("\n\n"), "split \(split): sent part of an event: \(first.suffix(30))")
            let rest = String(buffer: meter.consume(ByteBuffer(bytes: bytes[split...]))) + String(buffer: meter.finish())
            #expect(first + rest == Self.chatStream, "split \(split)")
        }
    }

    @Test("a cut SSE stream ends with one error event in the endpoint's dialect, after whole events only", arguments: [
        (Endpoint.openaiChatCompletions, nil as String?), (.openaiResponses, "error"), (.anthropicMessages, "error"), (.geminiStreamGenerateContent, nil),
    ])
    func cutSSE(endpoint: Endpoint, eventName: String?) throws {
        let bytes = Array(Self.chatStream.utf8)
        for cutAt in stride(from: 0, to: bytes.count, by: 7) {
            var meter = StreamMeter(endpoint: endpoint, hideUsageChunk: false, jsonArray: false)
            var sent = [meter.consume(ByteBuffer(bytes: bytes[..<cutAt]))]
            sent.append(meter.cut(status: 403, type: "key_blocked", message: "blocked: test", extra: ["reason": "test"]))
            var framer = SSEFramer()
            let events = framer.append(ByteBuffer(string: Self.text(sent))) + framer.finish()
            #expect(events.allSatisfy { $0.isComplete }, "cut at \(cutAt): a partial event went out")
            let last = try #require(events.last)
            #expect(last.event == eventName)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(last.data.utf8)) as? [String: Any])
            switch endpoint {
            case .openaiResponses:
                #expect(object["type"] as? String == "error" && object["code"] as? String == "key_blocked")
                #expect(object["sequence_number"] as? Int == events.count - 1)
            case .anthropicMessages:
                #expect((object["error"] as? [String: Any])?["type"] as? String == "key_blocked")
            case .geminiStreamGenerateContent:
                #expect((object["error"] as? [String: Any])?["status"] as? String == "PERMISSION_DENIED")
            default:
                #expect((object["error"] as? [String: Any])?["code"] as? String == "key_blocked")
            }
        }
    }

    @Test("a Gemini JSON-array stream cut anywhere is still one well-formed array, ending in the error element")
    func cutArray() throws {
        let bytes = Array(Self.geminiArray.utf8)
        for cutAt in 0...bytes.count {
            var meter = StreamMeter(endpoint: .geminiStreamGenerateContent, hideUsageChunk: false, jsonArray: true)
            var sent: [ByteBuffer] = []
            // One byte at a time: the hardest split.
            for byte in bytes[..<cutAt] { sent.append(meter.consume(ByteBuffer(bytes: [byte]))) }
            sent.append(meter.cut(status: 403, type: "key_blocked", message: "blocked", extra: [:]))
            let text = Self.text(sent)
            let array = try #require(try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]], "cut at \(cutAt): \(text)")
            if cutAt == bytes.count {
                #expect(array.count == 2 && array.last?["error"] == nil, "a complete array is left as it is")
            } else {
                #expect(array.last?["error"] != nil, "cut at \(cutAt): \(text)")
                #expect(array.dropLast().allSatisfy { $0["candidates"] != nil })
            }
        }
        var whole = StreamMeter(endpoint: .geminiStreamGenerateContent, hideUsageChunk: false, jsonArray: true)
        #expect(String(buffer: whole.consume(Self.bytes(Self.geminiArray))) == Self.geminiArray)
    }
}
