import Foundation
import NIOHTTP1
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `spendwall measure` against the fake engine's vLLM-style /metrics.
@Suite(.serialized) struct MeasureCommandTests {
    /// Starts the fake engine on a free port; the caller kills it.
    static func startEngine(_ scratch: Scratch) async throws -> (process: Process, url: String) {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketFD, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socketFD, $0, &length) } }
        let port = Int(UInt16(bigEndian: address.sin_port))
        close(socketFD)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: DeploymentTests.fakeEngine)
        process.arguments = ["--port", String(port), "--model", "tiny"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let url = "http://127.0.0.1:\(port)"
        for _ in 0..<200 {
            if let health = try? await HTTP.request(.GET, url + "/health", timeout: 1), health.status == 200 { return (process, url) }
            try await Task.sleep(for: .milliseconds(25))
        }
        throw HarnessError("the fake engine did not start")
    }

    @Test("measure reads tokens, busy time and costs from /metrics over a window and prints JSON with nulls for what the engine does not expose")
    func measuresAWindow() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let (engine, url) = try await Self.startEngine(scratch)
        defer { engine.terminate() }
        _ = try await HTTP.post(url + "/control", json: ["running": 1])
        let feeder = Task {
            for _ in 0..<8 {
                _ = try? await HTTP.post(url + "/control", json: ["prompt_tokens": 1_000, "generation_tokens": 250])
                try? await Task.sleep(for: .milliseconds(250))
            }
        }
        let result = try SpendwallCommand.run(
            ["measure", "--endpoint", url, "--duration", "2", "--every", "0.5", "--gpu-rate", "3.60", "--compare-model", "gpt-4o-mini", "--json", "-"],
            home: scratch.home, timeout: 30
        )
        await feeder.value
        #expect(result.exitCode == 0, "\(result.stderr)")
        let json = try #require(jsonObject(result.stdout), "\(result.stdout)")
        #expect(json["engine"] as? String == "vllm")
        let prompt = try #require((json["prompt_tokens"] as? NSNumber)?.int64Value)
        let generated = try #require((json["generation_tokens"] as? NSNumber)?.int64Value)
        #expect(prompt > 0 && prompt == 4 * generated, "each control call adds 1,000 prompt and 250 generated tokens at once")
        #expect((json["busy_fraction"] as? NSNumber)?.doubleValue == 1.0, "a request ran the whole window")
        // $3.60/h is 1,000 nano-dollars per millisecond: the window's cost follows its length.
        let window = try #require((json["window_seconds"] as? NSNumber)?.doubleValue)
        let cost = try #require((json["window_cost_nanodollars"] as? NSNumber)?.doubleValue)
        #expect(abs(cost - window * 1_000_000) <= 1, "cost \(cost) for \(window) s")
        #expect(json["api_cost_nanodollars"] is NSNumber && json["break_even_reachable"] != nil)
        // The fake engine exposes no latency histograms: those are null, not 0.
        #expect(json["ttft_p50_seconds"] is NSNull && json["tpot_p99_seconds"] is NSNull)
        #expect(json.keys.contains("gpu_utilization_percent"), "every key is written")
    }

    @Test("a counter that falls during the window is refused with exit 6 and says why")
    func refusesACounterReset() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let (engine, url) = try await Self.startEngine(scratch)
        defer { engine.terminate() }
        _ = try await HTTP.post(url + "/control", json: ["prompt_tokens": 5_000, "generation_tokens": 900])
        let dropper = Task {
            try? await Task.sleep(for: .milliseconds(600))
            _ = try? await HTTP.post(url + "/control", json: ["prompt_tokens": -4_000])
        }
        let result = try SpendwallCommand.run(["measure", "--endpoint", url, "--duration", "2", "--every", "0.25"], home: scratch.home, timeout: 30)
        await dropper.value
        #expect(result.exitCode == 6, "\(result.stdout) \(result.stderr)")
        #expect(result.stderr.contains("counter_reset"), "\(result.stderr)")
    }
}
