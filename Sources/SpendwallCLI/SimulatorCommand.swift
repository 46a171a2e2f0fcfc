import Hummingbird
import ArgumentParser
import Foundation
import Logging
import SpendwallSimulator

/// `spendwall simulator`: runs the simulated provider alone (benchmarks, experiments).
struct SimulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulator", abstract: "Run the built-in simulated provider alone (OpenAI, Anthropic and Gemini dialects).",
        discussion: "Example: spendwall simulator --port 9100 --first-byte-ms 50"
    )
    @Option(help: "Address to bind.") var host: String = "127.0.0.1"
    @Option(help: "Port (0 picks a free one).") var port: Int = 9100
    @Option(name: .customLong("first-byte-ms"), help: "Delay before the first byte.") var firstByteMillis: Int64 = 0
    @Option(name: .customLong("chunk-ms"), help: "Delay between streamed chunks.") var chunkMillis: Int64 = 0

    func run() async throws {
        var logger = Logger(label: "spendwall.simulator")
        logger.logLevel = .warning
        let simulator = SimulatedProvider(config: SimulatorConfig(firstByteDelay: .milliseconds(firstByteMillis), interChunkDelay: .milliseconds(chunkMillis)))
        let host = self.host
        let application = simulator.makeApplication(host: host, port: port, logger: logger) { bound in
            print("simulated provider listening on http://\(host):\(bound) (all answers and usage are simulated)")
            fflush(nil)
        }
        try await application.runService()
    }
}
