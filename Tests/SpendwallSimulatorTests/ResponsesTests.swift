import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SpendwallCore
@testable import SpendwallSimulator
import Testing

@Suite("OpenAI responses")
struct ResponsesTests {
    static let input = #"[{"role":"user","content":[{"type":"input_text","text":"Summarise the ledger."}]}]"#

    @Test func nonStreamingShapeAndUsage() async throws {
        try await withSimulator { simulator, client in
            let json = try await client.post("/v1/responses", #"{"model":"gpt-4.1","instructions":"Be terse.","input":\#(Self.input)}"#).object()
            #expect(json["object"] as? String == "response")
            #expect(json["status"] as? String == "completed")
            let id = try #require(json["id"] as? String)
            #expect(id.hasPrefix("resp_sim"))
            let output = try #require(json["output"] as? [JSONObject])
            #expect(output.count == 1)
            #expect(string(output[0], "type") == "message")
            #expect(string(output[0], "content", 0, "type") == "output_text")
            let text = try #require(string(output[0], "content", 0, "text"))
            #expect(text.hasPrefix("[simulated]"))
            let input = inputTokens("Be terse." + "Summarise the ledger.")
            #expect(int(json, "usage", "input_tokens") == input)
            #expect(int(json, "usage", "output_tokens") == wordCount(text))
            #expect(int(json, "usage", "total_tokens") == input + wordCount(text))
            #expect(int(json, "usage", "input_tokens_details", "cached_tokens") == 0)
            #expect(int(json, "usage", "output_tokens_details", "reasoning_tokens") == 0)
            #expect(simulator.calls.last?.id == id)
            #expect(simulator.calls.last?.endpoint == .responses)
        }
    }

    @Test func stringInputAndCapMakeAnIncompleteResponse() async throws {
        try await withSimulator { _, client in
            let json = try await client.post("/v1/responses", #"{"model":"gpt-4.1","input":"hello there","max_output_tokens":4}"#).object()
            #expect(json["status"] as? String == "incomplete")
            #expect(string(json, "incomplete_details", "reason") == "max_output_tokens")
            #expect(int(json, "usage", "output_tokens") == 4)
            #expect(int(json, "usage", "input_tokens") == inputTokens("hello there"))
        }
    }

    @Test func reasoningModelsAddAReasoningItem() async throws {
        try await withSimulator { _, client in
            let json = try await client.post("/v1/responses", #"{"model":"o4-mini","input":"think"}"#).object()
            let output = try #require(json["output"] as? [JSONObject])
            #expect(output.map { $0["type"] as? String } == ["reasoning", "message"])
            let words = wordCount(try #require(string(output[1], "content", 0, "text")))
            let reasoning = try #require(int(json, "usage", "output_tokens_details", "reasoning_tokens"))
            #expect(reasoning == words / 2)
            #expect(int(json, "usage", "output_tokens") == words + reasoning)
        }
    }

    @Test func streamEmitsTheEventSequence() async throws {
        try await withSimulator { simulator, client in
            let response = try await client.post("/v1/responses", #"{"model":"gpt-4.1","input":\#(Self.input),"stream":true}"#, headers: [.simulatorCachedTokens: "2"])
            let events = response.events
            let names = events.compactMap(\.name)
            #expect(names.count == events.count)
            #expect(Array(names.prefix(4)) == ["response.created", "response.in_progress", "response.output_item.added", "response.content_part.added"])
            #expect(Array(names.suffix(4)) == ["response.output_text.done", "response.content_part.done", "response.output_item.done", "response.completed"])
            let objects = events.compactMap(\.object)
            #expect(objects.map { $0["sequence_number"] as? Int } == Array(0..<objects.count))
            #expect(zip(names, objects).allSatisfy { $0 == $1["type"] as? String })
            let deltas = objects.filter { $0["type"] as? String == "response.output_text.delta" }.compactMap { $0["delta"] as? String }
            let text = deltas.joined()
            #expect(deltas.count == wordCount(text))
            #expect(string(objects[objects.count - 4], "text") == text)
            let completed = try #require(objects.last)
            #expect(string(completed, "response", "status") == "completed")
            #expect(int(completed, "response", "usage", "output_tokens") == wordCount(text))
            #expect(int(completed, "response", "usage", "input_tokens_details", "cached_tokens") == 2)
            #expect(value(objects[0], "response", "usage") is NSNull)
            let call = try #require(simulator.calls.last)
            #expect(call.completed && call.stream)
            #expect(call.usage.output == Int64(wordCount(text)))
            #expect(call.usage.cachedInput == 2)
        }
    }

    @Test func cappedStreamEndsWithResponseIncomplete() async throws {
        try await withSimulator { _, client in
            let events = try await client.post("/v1/responses", #"{"model":"gpt-4.1","input":"x","stream":true,"max_output_tokens":3}"#).events
            #expect(events.last?.name == "response.incomplete")
            #expect(int(events.last?.object, "response", "usage", "output_tokens") == 3)
            #expect(events.filter { $0.name == "response.output_text.delta" }.count == 3)
        }
    }
}

@Suite("OpenAI embeddings")
struct EmbeddingsTests {
    @Test func floatVectors() async throws {
        try await withSimulator { simulator, client in
            let json = try await client.post("/v1/embeddings", #"{"model":"text-embedding-3-small","input":["hello world","a much longer input string here"]}"#).object()
            #expect(json["object"] as? String == "list")
            let data = try #require(json["data"] as? [JSONObject])
            #expect(data.count == 2)
            #expect(data.map { $0["index"] as? Int } == [0, 1])
            #expect(data.allSatisfy { $0["object"] as? String == "embedding" })
            let vector = try #require(data[0]["embedding"] as? [Double])
            #expect(vector.count == 1536)
            #expect(vector.allSatisfy { abs($0) < 1 })
            let expected = inputTokens("hello world") + inputTokens("a much longer input string here")
            #expect(int(json, "usage", "prompt_tokens") == expected)
            #expect(int(json, "usage", "total_tokens") == expected)
            #expect(simulator.calls.last?.usage.input == Int64(expected))
            #expect(simulator.calls.last?.endpoint == .embeddings)
        }
    }

    @Test func base64VectorsMatchTheFloats() async throws {
        try await withSimulator { _, client in
            let floats = try await client.post("/v1/embeddings", #"{"model":"text-embedding-3-large","input":"hi","dimensions":8}"#).object()
            let base64 = try await client.post("/v1/embeddings", #"{"model":"text-embedding-3-large","input":"hi","dimensions":8,"encoding_format":"base64"}"#).object()
            let encoded = try #require(string(base64, "data", 0, "embedding"))
            let bytes = try #require(Data(base64Encoded: encoded))
            #expect(bytes.count == 8 * 4)
            let bytesArray = [UInt8](bytes)
            var decoded: [Float] = []
            for offset in stride(from: 0, to: bytesArray.count, by: 4) {
                var bits: UInt32 = 0
                for shift in 0..<4 {
                    bits |= UInt32(bytesArray[offset + shift]) << UInt32(8 * shift)
                }
                decoded.append(Float(bitPattern: bits))
            }
            let expected = try #require(value(floats, "data", 0, "embedding") as? [Double])
            #expect(decoded.count == expected.count)
            for (float, double) in zip(decoded, expected) {
                #expect(abs(Double(float) - double) < 1e-6, "\(float) vs \(double)")
            }
        }
    }

    @Test func defaultDimensionsFollowTheModel() async throws {
        try await withSimulator { _, client in
            let json = try await client.post("/v1/embeddings", #"{"model":"text-embedding-3-large","input":[[1,2,3,4,5]]}"#).object()
            #expect((value(json, "data", 0, "embedding") as? [Any])?.count == 3072)
            #expect(int(json, "usage", "prompt_tokens") == 5)
        }
    }
}
