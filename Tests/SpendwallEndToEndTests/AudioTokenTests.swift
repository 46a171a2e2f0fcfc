import Foundation
import Testing

extension EndToEnd {
    /// Audio tokens bill at their own rates, and the hold covers them.
    @Suite struct AudioTokens {
        @Test("audio input and output tokens are metered apart and charged at the audio rates, within the hold")
        func audioIsBilledAtAudioRates() async throws {
            try await withGateway { gateway, _ in
                let account = try await gateway.makeAccount("audio")
                let audioPart: [String: Any] = ["type": "input_audio", "input_audio": ["data": "UklGRiQAAABXQVZFZm10IBAAAAABAAEA", "format": "wav"]]
                let chat = try await gateway.call("/v1/chat/completions", .openai, secret: account.secret, json: [
                    "model": "gpt-audio", "max_completion_tokens": 200, "modalities": ["text", "audio"],
                    "messages": [["role": "user", "content": [["type": "text", "text": "Transcribe and answer this clip, please."], audioPart]]],
                ], headers: [("x-simulator-audio-tokens", "6"), ("x-simulator-audio-output-tokens", "40")])
                #expect(chat.status == 200, "\(chat.status) \(chat.text.prefix(300))")
                let gemini = try await gateway.call("/v1beta/models/gemini-2.5-flash:generateContent", .gemini, secret: account.secret, json: [
                    "contents": [["role": "user", "parts": [["text": "What is said in this recording?"], ["inline_data": ["mime_type": "audio/wav", "data": "UklGRiQAAABXQVZF"]]]]],
                    "generationConfig": ["maxOutputTokens": 60],
                ], headers: [("x-simulator-audio-tokens", "5")])
                #expect(gemini.status == 200, "\(gemini.status) \(gemini.text.prefix(300))")

                let rows = try await gateway.settled(rows: 2)
                let calls = try await gateway.simulatorCalls(atLeast: 2)
                let expectations: [(String, Int64, Int64?, Int64?)] = [
                    ("gpt-audio", 6, 32_000_000, 64_000_000),    // $32 / $64 per million audio tokens
                    ("gemini-2.5-flash", 5, 1_000_000, nil),  // $1.00 per million audio input tokens
                ]
                for (model, audioIn, inputRate, outputRate) in expectations {
                    let row = try #require(rows.first { $0.model == model }, "no ledger row for \(model)")
                    let call = try #require(calls.first { $0.id == row.upstreamID })
                    #expect(row.usage == Usage(call.usage), "\(model): ledger \(row.usage) vs simulator \(Usage(call.usage))")
                    #expect(row.usage.audioInput == audioIn, "\(model)")
                    #expect(row.rates.audioInput == inputRate && row.rates.audioOutput == outputRate, "\(model): \(row.rates)")
                    #expect(row.cost == row.recomputedCost && row.cost <= row.hold, "\(model): cost \(row.cost) hold \(row.hold)")
                }
                let audioRow = try #require(rows.first { $0.model == "gpt-audio" })
                #expect(audioRow.usage.audioOutput == 40)
            }
        }
    }
}
