import Foundation
import NIOCore
import SpendwallCore
import SpendwallProviders
import Testing

@Suite struct StreamUsageTrackerTests {
    /// Frames `stream` and runs it through `tracker`, returning the forwarded bytes.
    func run(_ stream: String, _ tracker: inout StreamUsageTracker) -> String {
        var framer = SSEFramer()
        var forwarded = ""
        for event in framer.append(buffer(stream)) + framer.finish() where tracker.observe(event) == .forward {
            forwarded += string(event.raw)
        }
        return forwarded
    }

    @Test func openaiChatStream() {
        var tracker = StreamUsageTracker(endpoint: .openaiChatCompletions)
        let forwarded = run(Fixtures.openaiChatStream, &tracker)
        #expect(forwarded == Fixtures.openaiChatStream)
        #expect(tracker.usage == TokenUsage(input: 86, cachedInput: 1920, output: 108, reasoning: 192))
        #expect(tracker.responseID == "chatcmpl-7x1")
        #expect(tracker.model == "o4-mini-2025-04-16")
        #expect(tracker.streamedOutputBytes == 19)
        #expect(tracker.sawTerminalEvent)
        #expect(tracker.upstreamError == nil)
    }

    @Test func openaiStreamsReportTheirServiceTier() {
        var chat = StreamUsageTracker(endpoint: .openaiChatCompletions)
        _ = run("data: {\"id\":\"c\",\"service_tier\":\"priority\",\"choices\":[{\"delta\":{\"content\":\"hi\"}}]}\n\ndata: [DONE]\n\n", &chat)
        #expect(chat.serviceTier == "priority")
        var responses = StreamUsageTracker(endpoint: .openaiResponses)
        _ = run("event: response.completed\ndata: {\"type\":\"response.completed\",\"response\":{\"id\":\"r\",\"service_tier\":\"flex\",\"usage\":{\"input_tokens\":3,\"output_tokens\":1}}}\n\n", &responses)
        #expect(responses.serviceTier == "flex")
        #expect(responses.usage == TokenUsage(input: 3, output: 1))
    }

    @Test func hiddenUsageChunkIsDroppedOnlyWhenAsked() {
        var hiding = StreamUsageTracker(endpoint: .openaiChatCompletions, hideUsageChunk: true)
        let forwarded = run(Fixtures.openaiChatStream, &hiding)
        #expect(!forwarded.contains("\"prompt_tokens\""))
        #expect(forwarded.hasSuffix("data: [DONE]\n\n"))
        #expect(hiding.usage?.totalInput == 2006)
        // Exactly one event (the usage chunk) is missing.
        var framer = SSEFramer()
        let all = framer.append(buffer(Fixtures.openaiChatStream))
        var again = StreamUsageTracker(endpoint: .openaiChatCompletions, hideUsageChunk: true)
        #expect(all.filter { again.observe($0) == .drop }.count == 1)

        // Other endpoints never drop.
        var anthropic = StreamUsageTracker(endpoint: .anthropicMessages, hideUsageChunk: true)
        #expect(run(Fixtures.anthropicStream, &anthropic) == Fixtures.anthropicStream)
    }

    @Test func chunkWithChoicesAndUsageIsKept() {
        let stream = #"data: {"id":"c","choices":[{"index":0,"delta":{"content":"x"}}],"usage":{"prompt_tokens":3,"completion_tokens":1}}"# + "\n\n"
        var tracker = StreamUsageTracker(endpoint: .openaiChatCompletions, hideUsageChunk: true)
        #expect(run(stream, &tracker) == stream)
        #expect(tracker.usage == TokenUsage(input: 3, output: 1))
        #expect(!tracker.sawTerminalEvent)
    }

    @Test func openaiChatErrorChunk() {
        let stream = #"data: {"error":{"message":"The server had an error","type":"server_error","param":null,"code":null}}"# + "\n\n"
        var tracker = StreamUsageTracker(endpoint: .openaiChatCompletions)
        _ = run(stream, &tracker)
        #expect(tracker.upstreamError == "server_error: The server had an error")
        #expect(tracker.usage == nil)
    }

    @Test func openaiResponsesStream() {
        var tracker = StreamUsageTracker(endpoint: .openaiResponses)
        #expect(run(Fixtures.openaiResponsesStream, &tracker) == Fixtures.openaiResponsesStream)
        #expect(tracker.usage == TokenUsage(input: 37, output: 11))
        #expect(tracker.responseID == "resp_67c9fdcecf488190bdd9a0409de3a1ec07b8b0ad4e5eb654")
        #expect(tracker.model == "gpt-4.1-2025-04-14")
        #expect(tracker.streamedOutputBytes == 9)
        #expect(tracker.sawTerminalEvent)
    }

    @Test func openaiResponsesFailureAndError() {
        let failed = """
        event: response.failed
        data: {"type":"response.failed","sequence_number":3,"response":{"id":"resp_1","status":"failed","error":{"code":"server_error","message":"The model failed"},"usage":{"input_tokens":10,"output_tokens":2,"input_tokens_details":{"cached_tokens":0},"output_tokens_details":{"reasoning_tokens":0}}}}


        """
        var tracker = StreamUsageTracker(endpoint: .openaiResponses)
        _ = run(failed, &tracker)
        #expect(tracker.sawTerminalEvent)
        #expect(tracker.upstreamError == "server_error: The model failed")
        #expect(tracker.usage == TokenUsage(input: 10, output: 2))

        let error = """
        event: error
        data: {"type":"error","code":"ERR_SOMETHING","message":"Something went wrong","param":null,"sequence_number":1}


        """
        var other = StreamUsageTracker(endpoint: .openaiResponses)
        _ = run(error, &other)
        #expect(other.upstreamError == "ERR_SOMETHING: Something went wrong")
        #expect(!other.sawTerminalEvent)
    }

    @Test func anthropicStreamCombinesStartAndLatestDelta() {
        var tracker = StreamUsageTracker(endpoint: .anthropicMessages)
        #expect(run(Fixtures.anthropicStream, &tracker) == Fixtures.anthropicStream)
        #expect(tracker.usage == TokenUsage(input: 25, cachedInput: 2000, cacheWrite: 100, output: 15))
        #expect(tracker.responseID == "msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY")
        #expect(tracker.model == "claude-opus-4-1-20250805")
        #expect(tracker.streamedOutputBytes == 13 + 5 + 1 + 21)
        #expect(tracker.sawTerminalEvent)
    }

    @Test func anthropicDeltaWithCumulativeInputCounts() {
        let stream = """
        event: message_start
        data: {"type":"message_start","message":{"id":"msg_1","model":"claude-sonnet-4-5","usage":{"input_tokens":10,"output_tokens":1}}}

        event: message_delta
        data: {"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"input_tokens":12,"cache_read_input_tokens":4,"output_tokens":30}}


        """
        var tracker = StreamUsageTracker(endpoint: .anthropicMessages)
        _ = run(stream, &tracker)
        #expect(tracker.usage == TokenUsage(input: 12, cachedInput: 4, output: 30))
        #expect(!tracker.sawTerminalEvent)
    }

    @Test func anthropicStreamSplitsOneHourCacheWrites() {
        var tracker = StreamUsageTracker(endpoint: .anthropicMessages)
        #expect(run(Fixtures.anthropicExtendedCacheStream, &tracker) == Fixtures.anthropicExtendedCacheStream)
        // The delta's total (no split) agrees with message_start's split, which is kept.
        #expect(tracker.usage == TokenUsage(input: 30, cachedInput: 200, cacheWrite: 500, extendedCacheWrite: 1000, output: 9))
        #expect(tracker.usage?.totalInput == 1730)
        #expect(tracker.responseID == "msg_01ExtStream")
        #expect(tracker.sawTerminalEvent)
    }

    @Test func anthropicDeltaOverridesTheCacheSplit() {
        let stream = """
        event: message_start
        data: {"type":"message_start","message":{"id":"msg_2","model":"claude-sonnet-4-5","usage":{"input_tokens":10,"cache_creation_input_tokens":100,"cache_creation":{"ephemeral_5m_input_tokens":40,"ephemeral_1h_input_tokens":60},"output_tokens":1}}}

        event: message_delta
        data: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"cache_creation_input_tokens":300,"cache_creation":{"ephemeral_1h_input_tokens":250},"output_tokens":20}}


        """
        var tracker = StreamUsageTracker(endpoint: .anthropicMessages)
        _ = run(stream, &tracker)
        // 1h from the delta (250), 5m kept from message_start (40), the unexplained 10 as 5m writes.
        #expect(tracker.usage == TokenUsage(input: 10, cacheWrite: 50, extendedCacheWrite: 250, output: 20))
    }

    @Test func anthropicDeltaTotalBeyondTheStartSplit() {
        let stream = """
        event: message_start
        data: {"type":"message_start","message":{"id":"msg_3","model":"claude-sonnet-4-5","usage":{"input_tokens":10,"cache_creation_input_tokens":100,"cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":100},"output_tokens":1}}}

        event: message_delta
        data: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"cache_creation_input_tokens":130,"output_tokens":20}}


        """
        var tracker = StreamUsageTracker(endpoint: .anthropicMessages)
        _ = run(stream, &tracker)
        #expect(tracker.usage == TokenUsage(input: 10, cacheWrite: 30, extendedCacheWrite: 100, output: 20))
    }

    @Test func anthropicErrorEvent() {
        var tracker = StreamUsageTracker(endpoint: .anthropicMessages)
        _ = run(Fixtures.anthropicErrorEvent, &tracker)
        #expect(tracker.upstreamError == "overloaded_error: Overloaded")
    }

    @Test func geminiSSEStream() {
        var tracker = StreamUsageTracker(endpoint: .geminiStreamGenerateContent)
        #expect(run(Fixtures.geminiSSEStream, &tracker) == Fixtures.geminiSSEStream)
        #expect(tracker.usage == TokenUsage(input: 8, output: 5, reasoning: 27))
        #expect(tracker.responseID == "Wj2vaOWMKpSXz7IP0rqHmAs")
        #expect(tracker.model == "gemini-2.5-flash")
        #expect(tracker.streamedOutputBytes == 16)
        #expect(tracker.sawTerminalEvent)
    }

    @Test func geminiStreamWithoutFinishIsNotTerminal() {
        let first = Fixtures.geminiSSEStream.components(separatedBy: "\r\n\r\n")[0] + "\r\n\r\n"
        var tracker = StreamUsageTracker(endpoint: .geminiStreamGenerateContent)
        _ = run(first, &tracker)
        #expect(!tracker.sawTerminalEvent)
        #expect(tracker.usage == TokenUsage(input: 8))
        #expect(tracker.streamedOutputBytes == 3)
    }

    @Test func brokenStreamKeepsWhatWasSeen() {
        let cut = String(Fixtures.anthropicStream.prefix(1200))
        var tracker = StreamUsageTracker(endpoint: .anthropicMessages)
        _ = run(cut, &tracker)
        #expect(!tracker.sawTerminalEvent)
        #expect(tracker.usage?.input == 25)
        #expect(tracker.streamedOutputBytes > 0)
    }
}
