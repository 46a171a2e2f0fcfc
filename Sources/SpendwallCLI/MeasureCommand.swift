import Logging
import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SpendwallCore
import SpendwallMeasure

/// `spendwall measure --endpoint URL`: an engine's economics, read from its `/metrics`.
struct MeasureCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "measure", abstract: "Measure a self-hosted engine's throughput, latency and cost per token from its /metrics.",
        discussion: """
            Scrapes the engine's Prometheus metrics (vLLM, both generations of names; SGLang; TGI) every \
            --every seconds over --duration: tokens served, the busy fraction (time-weighted, from the \
            requests-running gauge), TTFT and time-per-output-token percentiles, and with --gpu-rate the \
            allocated cost per million tokens (idle time included) beside the active cost, and with \
            --compare-model the break-even against that API model's catalog price. Where nvidia-smi is \
            installed, GPU utilization, memory and power are averaged over the window. The window is \
            refused if a counter resets or the engine restarts. Values the engine does not expose are \
            shown as n/a (null in JSON), never as zero.

            Example: spendwall measure --endpoint http://127.0.0.1:8000 --duration 60 --gpu-rate 0.80 --compare-model gpt-4o-mini
            """
    )
    @Option(help: "The engine's base URL (its /metrics is read), or the metrics URL itself.") var endpoint: String
    @Option(help: "Seconds to measure.") var duration: Double = 60
    @Option(help: "Seconds between scrapes.") var every: Double = 1
    @Option(name: .customLong("gpu-rate"), help: "USD per hour of the GPUs, e.g. 2.49.") var gpuRate: String?
    @Option(name: .customLong("rate-basis"), help: "instance (the rate is for the whole machine) or per-gpu.") var rateBasis: String = "instance"
    @Option(help: "GPUs the rate covers with --rate-basis per-gpu.") var gpus: Int = 1
    @Option(name: .customLong("compare-model"), help: "An API model to compare with, priced from the catalog.") var compareModel: String?
    @Option(help: "YAML configuration (for operator prices).") var config: String?
    @Option(name: .customLong("json"), help: "Also write the result as JSON to this file (- for standard output only).") var jsonFile: String?

    func run() async throws {
        try await CLIError.reporting {
            guard duration > 0, every > 0, every <= duration else { throw CLIError("--duration and --every must be positive, --every at most --duration", exitCode: .usage) }
            var gpuCost: GPUCostBasis?
            if let gpuRate {
                guard let basis = GPUCostBasis.RateBasis(rawValue: rateBasis) else { throw CLIError("--rate-basis must be instance or per-gpu", exitCode: .usage) }
                do throws(GPUCostBasis.Invalid) {
                    gpuCost = try GPUCostBasis(rateText: gpuRate, basis: basis, gpuCount: gpus)
                } catch {
                    throw CLIError(error.reason, exitCode: .usage)
                }
            }
            var compare: ComparePrice?
            if let compareModel {
                let configuration = try ConfigurationLoader.load(path: config)
                let catalog = try GatewayRuntime(configuration: configuration, home: SpendwallHome(), logger: .init(label: "measure")) { _, _, _, _ in }.loadCatalog()
                guard let price = ProviderKind.allCases.lazy.compactMap({ catalog.resolve(model: compareModel, provider: $0) }).first else {
                    throw CLIError("no price for '\(compareModel)' in \(catalog.version); check it with `spendwall lookup --model`", exitCode: .notFound)
                }
                compare = ComparePrice(model: compareModel, rates: price.rates)
            }
            let url = endpoint.hasSuffix("/metrics") ? endpoint : (endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint) + "/metrics"
            var window = MetricsWindow()
            var telemetry: [[GPUReading]] = []
            let smi = Self.nvidiaSMIPath()
            let start = ContinuousClock.now
            let end = start + .milliseconds(Int64(duration * 1000))
            var next = start
            while true {
                let text = try await Self.scrape(url)
                do throws(MeasureError) {
                    try window.add(text, at: ContinuousClock.now - start)
                } catch {
                    throw CLIError("\(error.code.rawValue): \(error.message)", exitCode: .refused)
                }
                if let smi, let readings = Self.readGPUs(smi) { telemetry.append(readings) }
                next += .milliseconds(Int64(every * 1000))
                if next > end { break }
                try await Task.sleep(until: next, clock: .continuous)
            }
            let result: EngineEconomics
            do throws(MeasureError) {
                result = try window.economics(endpoint: url, gpuCost: gpuCost, compare: compare, gpuTelemetry: GPUTelemetryAverage(samples: telemetry))
            } catch {
                throw CLIError("\(error.code.rawValue): \(error.message)", exitCode: .refused)
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let json = try encoder.encode(result)
            if jsonFile == "-" {
                print(String(decoding: json, as: UTF8.self))
                return
            }
            print(result.renderText())
            if let jsonFile {
                try json.write(to: URL(fileURLWithPath: jsonFile), options: .atomic)
                print("JSON written to \(jsonFile)")
            }
        }
    }

    static func scrape(_ url: String) async throws -> String {
        do {
            let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
            let body = try await response.body.collect(upTo: 64 * 1024 * 1024)
            guard response.status.code == 200 else { throw CLIError("\(url) answered \(response.status.code)", exitCode: .unreachable) }
            return String(buffer: body)
        } catch let error as CLIError {
            throw error
        } catch {
            throw CLIError("cannot read \(url): \(error)", exitCode: .unreachable)
        }
    }

    /// `nvidia-smi` on the PATH, if any.
    static func nvidiaSMIPath() -> String? {
        let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return paths.map { "\($0)/nvidia-smi" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// One nvidia-smi reading of every GPU; nil when it fails.
    static func readGPUs(_ path: String) -> [GPUReading]? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["--query-gpu=\(NvidiaSMI.queryFields)", "--format=csv,noheader,nounits"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return try? NvidiaSMI.parse(String(decoding: data, as: UTF8.self))
    }
}
