import Foundation
import NIOCore
import PropertyBased
import SpendwallCore
import SpendwallProviders
import Testing

@Suite struct GeminiArrayStreamTrackerTests {
    func track(_ bytes: [UInt8], cuts: [Int]) -> GeminiArrayStreamTracker {
        var tracker = GeminiArrayStreamTracker()
        var start = 0
        for offset in Set(cuts.map { min($0, bytes.count) }).sorted() + [bytes.count] {
            tracker.observe(ByteBuffer(bytes: bytes[start..<offset]))
            start = offset
        }
        tracker.finish()
        return tracker
    }

    @Test func readsTheLastUsage() {
        let tracker = track(Array(Fixtures.geminiArrayStream.utf8), cuts: [])
        #expect(tracker.usage == TokenUsage(input: 6, cachedInput: 2, output: 6, reasoning: 50))
        #expect(tracker.responseID == "arr-1")
        #expect(tracker.model == "gemini-2.5-pro")
        #expect(tracker.sawTerminalEvent)
        #expect(tracker.sawEndOfArray)
        #expect(tracker.streamedOutputBytes == Int64("The [sky] {is}".utf8.count + " \"blue\".".utf8.count))
    }

    @Test func anySplitGivesTheSameResult() async {
        let bytes = Array(Fixtures.geminiArrayStream.utf8)
        await propertyCheck(count: 200, input: Gen.int(in: 0...bytes.count).array(of: 0...40)) { cuts in
            let tracker = track(bytes, cuts: cuts)
            #expect(tracker.usage == TokenUsage(input: 6, cachedInput: 2, output: 6, reasoning: 50))
            #expect(tracker.sawTerminalEvent)
        }
    }

    @Test func cutStreamKeepsCompletedElements() {
        let text = Fixtures.geminiArrayStream
        let cut = String(text[..<text.range(of: "\"finishReason\"")!.lowerBound])
        let tracker = track(Array(cut.utf8), cuts: [17, 90])
        #expect(tracker.usage == TokenUsage(input: 8))
        #expect(!tracker.sawTerminalEvent)
        #expect(!tracker.sawEndOfArray)
    }

    @Test func errorElement() {
        let tracker = track(Array(#"[{"error":{"code":429,"message":"Resource exhausted","status":"RESOURCE_EXHAUSTED"}}]"#.utf8), cuts: [5])
        #expect(tracker.upstreamError == "RESOURCE_EXHAUSTED: Resource exhausted")
    }
}
