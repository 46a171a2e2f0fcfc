import NIOCore
import PropertyBased
import SpendwallProviders
import Testing

@Suite struct SSEFramerTests {
    /// Feeds `text` whole, then finishes.
    func frameWhole(_ text: String) -> [SSEEvent] {
        var framer = SSEFramer()
        return framer.append(buffer(text)) + framer.finish()
    }

    /// Feeds `bytes` cut at `cuts` (offsets, any order, duplicates allowed), then finishes.
    func frameSplit(_ bytes: [UInt8], cuts: [Int]) -> [SSEEvent] {
        let offsets = Set(cuts.map { min(max($0, 0), bytes.count) }).sorted()
        var framer = SSEFramer()
        var events: [SSEEvent] = []
        var start = 0
        for offset in offsets + [bytes.count] {
            events += framer.append(ByteBuffer(bytes: bytes[start..<offset]))
            start = offset
        }
        return events + framer.finish()
    }

    @Test func parsesFieldsAndKeepsRawBytes() {
        let text = "event: message_start\ndata: {\"a\":1}\n\n: keep-alive\n\ndata:no-space\ndata:  two spaces\nid: 7\nretry: 10\n\n"
        let events = frameWhole(text)
        #expect(events.count == 3)
        #expect(events[0].event == "message_start")
        #expect(events[0].data == "{\"a\":1}")
        #expect(string(events[0].raw) == "event: message_start\ndata: {\"a\":1}\n\n")
        #expect(events[1].isKeepAlive)
        #expect(string(events[1].raw) == ": keep-alive\n\n")
        #expect(events[2].data == "no-space\n two spaces")
        #expect(events[2].event == nil)
        #expect(events.allSatisfy { $0.isComplete })
        #expect(events.map { string($0.raw) }.joined() == text)
    }

    @Test func lineEndings() {
        let crlf = frameWhole("data: a\r\ndata: b\r\n\r\nevent: x\r\ndata: c\r\n\r\n")
        #expect(crlf.map(\.data) == ["a\nb", "c"])
        #expect(crlf.map(\.event) == [nil, "x"])
        let cr = frameWhole("data: a\rdata: b\r\rdata: c\r\r")
        #expect(cr.map(\.data) == ["a\nb", "c"])
        let mixed = frameWhole("data: a\r\ndata: b\rdata: c\n\r\n")
        #expect(mixed.map(\.data) == ["a\nb\nc"])
        #expect(string(mixed[0].raw) == "data: a\r\ndata: b\rdata: c\n\r\n")
    }

    @Test func splitInsideCRLFWaitsForTheLineFeed() {
        var framer = SSEFramer()
        #expect(framer.append(buffer("data: a\r\n\r")).isEmpty)
        let events = framer.append(buffer("\ndata: b\r\n\r\n"))
        #expect(events.map(\.data) == ["a", "b"])
        #expect(events.map { string($0.raw) } == ["data: a\r\n\r\n", "data: b\r\n\r\n"])
        #expect(framer.finish().isEmpty)
    }

    @Test func finishReturnsTrailingBytesAsAnIncompleteEvent() {
        var framer = SSEFramer()
        #expect(framer.append(buffer("data: a\n\ndata: {\"cut")).count == 1)
        let rest = framer.finish()
        #expect(rest.count == 1)
        #expect(rest[0].isComplete == false)
        #expect(rest[0].data == "{\"cut")
        #expect(string(rest[0].raw) == "data: {\"cut")
        // A trailing CR is a complete line ending once the stream ends.
        var other = SSEFramer()
        #expect(other.append(buffer("data: z\r\r")).isEmpty)
        let finished = other.finish()
        #expect(finished.map(\.data) == ["z"])
        #expect(finished[0].isComplete)
    }

    @Test func byteOrderMarkAndOddFields() {
        let events = frameWhole("\u{FEFF}data: x\n\ndata\n\nevent\ndata:\n\n")
        #expect(events.map(\.data) == ["x", "", ""])
        #expect(events[2].event == "")
    }

    @Test func emptyChunksAndBlankLines() {
        var framer = SSEFramer()
        #expect(framer.append(ByteBuffer()).isEmpty)
        let events = framer.append(buffer("\n\n"))
        #expect(events.count == 2)
        #expect(events.allSatisfy { $0.isKeepAlive })
        #expect(framer.finish().isEmpty)
    }

    static let pieces = [
        "data: {\"x\":1}", "data:", "data: é✓", "event: message_delta", ": ping", "id: 3", "retry: 5",
        "\n", "\r\n", "\r", "\n\n", "\r\n\r\n", "\r\r", "data: a\nb", ":", " ", "x",
    ]

    @Test func anySplitOfGeneratedStreamsYieldsTheSameEvents() async {
        await propertyCheck(count: 300, input: Gen.int(in: 0...Self.pieces.count - 1).array(of: 0...40), Gen.int(in: 0...400).array(of: 0...25)) { picks, cuts in
            let text = picks.map { Self.pieces[$0] }.joined()
            let bytes = Array(text.utf8)
            let whole = frameWhole(text)
            let split = frameSplit(bytes, cuts: cuts)
            #expect(split == whole)
            #expect(split.flatMap { Array($0.raw.readableBytesView) } == bytes)
        }
    }

    @Test func anySplitOfProviderStreamsYieldsTheSameEvents() async {
        let streams = [Fixtures.openaiChatStream, Fixtures.openaiResponsesStream, Fixtures.anthropicStream, Fixtures.geminiSSEStream]
        await propertyCheck(count: 200, input: Gen.int(in: 0...streams.count - 1), Gen.int(in: 0...6000).array(of: 1...60)) { pick, cuts in
            let stream = streams[pick]
            let bytes = Array(stream.utf8)
            #expect(frameSplit(bytes, cuts: cuts) == frameWhole(stream))
        }
        // Byte-at-a-time is the extreme split.
        for stream in streams {
            let bytes = Array(stream.utf8)
            #expect(frameSplit(bytes, cuts: Array(0...bytes.count)) == frameWhole(stream))
        }
    }
}
