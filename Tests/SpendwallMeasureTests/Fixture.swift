import Foundation
import SpendwallMeasure

/// Real `/metrics` snapshots kept under `Fixtures/` (see `Fixtures/SOURCES.md`), and helpers that
/// derive other scrapes from them in code, so no fabricated file ever poses as a real one.
enum Fixture {
    /// vLLM V0-era scrape (vLLM ~0.6, `model_name="mymodelname"`), every line indented by 4 spaces as published.
    static let vllmV0 = load("vllm-v0-mymodelname")
    /// vLLM V1-era scrape (`engine="0"` label, `inter_token_latency_seconds`), the `grep vllm:` lines as published.
    static let vllmV1 = load("vllm-v1-qwen3-0.6b-grep")

    static func load(_ name: String) -> String {
        guard let url = Bundle.module.url(forResource: name, withExtension: "prom", subdirectory: "Fixtures"),
              let text = try? String(contentsOf: url, encoding: .utf8) else {
            fatalError("fixture \(name).prom is missing from the test bundle")
        }
        return text
    }

    /// `text` with the value of every sample line whose series starts with one of the prefixes
    /// replaced by `transform(value)`. Indentation and everything before the value are kept.
    static func adjusting(_ text: String, _ changes: [(prefix: String, transform: (Double) -> Double)]) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            let trimmed = line.drop { $0 == " " }
            guard let change = changes.first(where: { trimmed.hasPrefix($0.prefix) }),
                  let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
                return String(line)
            }
            return String(line[...space]) + String(change.transform(value))
        }.joined(separator: "\n")
    }

    /// `text` with the listed series lowered by the stated amounts.
    static func lowering(_ text: String, _ amounts: [(String, Double)]) -> String {
        adjusting(text, amounts.map { amount in (prefix: amount.0, transform: { $0 - amount.1 }) })
    }

    /// `text` with the running-requests gauge set to `running`.
    static func settingRunning(_ text: String, to running: Double) -> String {
        adjusting(text, [(prefix: "vllm:num_requests_running{", transform: { _ in running })])
    }

    /// The window start derived from the V0 snapshot: 12,345 prompt and 6,789 generation tokens
    /// fewer, and 2,000 fewer TTFT observations, all of them in the (0.25 s, 0.5 s] bucket (so every
    /// bucket from `le="0.5"` up, and `_count`, is 2,000 lower; `_sum` is 750 s lower).
    static let vllmV0Start: String = lowering(
        vllmV0,
        [("vllm:prompt_tokens_total{", 12_345), ("vllm:generation_tokens_total{", 6_789), ("vllm:time_to_first_token_seconds_sum{", 750),
         ("vllm:time_to_first_token_seconds_count{", 2_000)]
            + ["0.5", "0.75", "1.0", "2.5", "5.0", "7.5", "10.0", "+Inf"].map { ("vllm:time_to_first_token_seconds_bucket{le=\"\($0)\"", 2_000) }
    )
}
