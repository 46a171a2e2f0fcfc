import ArgumentParser
import Foundation
import Logging
import SpendwallCore
import SpendwallEngine

/// `spendwall serve`: runs the gateway.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the gateway (data plane on 127.0.0.1:8787, admin API on 127.0.0.1:8788).",
        discussion: """
            Zero configuration: the database lives in $SPENDWALL_HOME (default ~/.spendwall), provider keys come \
            from OPENAI_API_KEY, ANTHROPIC_API_KEY and GEMINI_API_KEY.

            Example:
              spendwall serve --simulator
              spendwall serve --config spendwall.yaml
            """
    )

    @Option(name: .long, help: "YAML configuration file.")
    var config: String?

    @Option(name: .long, help: "Data plane address, host:port (port 0 picks a free one).")
    var listen: String?

    @Option(name: .customLong("admin-listen"), help: "Admin API address, host:port.")
    var adminListen: String?

    @Option(name: .long, help: "A SQLite database file, or a postgres://user:password@host:port/database URL.")
    var database: String?

    @Flag(name: .long, help: "Send every provider's traffic to the built-in simulated provider (no API keys needed).")
    var simulator = false

    @Flag(name: .long, help: "Print the ready line as JSON.")
    var json = false

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    @Option(name: .customLong("log-format"), help: "text, or json: one JSON object per line (request id, key id, team, model; never keys or prompts).")
    var logFormat: String = "text"

    func run() async throws {
        try await CLIError.reporting {
            var configuration = try ConfigurationLoader.load(path: config)
            if let listen { configuration.listen = listen }
            if let adminListen { configuration.adminListen = adminListen }
            if let database { configuration.database = database }
            if simulator {
                for provider in ProviderKind.allCases {
                    configuration.upstreams[provider.rawValue] = UpstreamConfiguration(kind: .simulator)
                }
            }
            guard let level = Logger.Level(rawValue: logLevel) else {
                throw CLIError("--log-level: unknown level '\(logLevel)'", exitCode: .usage)
            }
            guard logFormat == "text" || logFormat == "json" else {
                throw CLIError("--log-format must be text or json", exitCode: .usage)
            }
            let jsonLogs = logFormat == "json"
            LoggingSystem.bootstrap { label in
                if jsonLogs {
                    var handler = JSONLogHandler(label: label)
                    handler.logLevel = level
                    return handler
                }
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
            var logger = Logger(label: "spendwall")
            logger.logLevel = level
            let home = SpendwallHome()
            let json = self.json
            let runtime = GatewayRuntime(configuration: configuration, home: home, logger: logger) { data, admin, _, simulatorURL in
                let simulated = simulatorURL != nil
                let record = GatewayAddress(data: data, admin: admin, simulated: simulated, simulator: simulatorURL, pid: getpid())
                if let encoded = try? JSONEncoder().encode(record) {
                    try? encoded.write(to: URL(fileURLWithPath: home.gatewayAddressPath), options: .atomic)
                }
                if json, let encoded = try? JSONEncoder().encode(record) {
                    print(String(decoding: encoded, as: UTF8.self))
                } else {
                    print("spendwall gateway ready")
                    print("  data plane  http://\(data)   (OpenAI base URL: http://\(data)/v1, Anthropic: http://\(data))")
                    print("  admin API   http://\(admin)   (token in \(home.adminTokenPath))")
                    if simulated { print("  upstream    built-in SIMULATED provider: answers and usage are simulated") }
                }
                fflush(nil)
            }
            var running = runtime
            if configuration.traces {
                running.extraServices = [try TraceExport.bootstrap()]
            }
            try await running.run()
        }
    }
}

/// Where a running gateway listens; written to `$SPENDWALL_HOME/gateway.json` for the CLI.
struct GatewayAddress: Codable {
    var data: String
    var admin: String
    var simulated: Bool
    /// The built-in simulated provider's URL, when it serves.
    var simulator: String?
    var pid: Int32
}

extension CLIError {
    /// Runs `body`, printing a `CLIError` as `error: …` and exiting with its code.
    static func reporting(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as CLIError {
            FileHandle.standardError.write(Data("error: \(error.message)\n".utf8))
            throw ArgumentParser.ExitCode(error.exitCode.rawValue)
        }
    }
}
