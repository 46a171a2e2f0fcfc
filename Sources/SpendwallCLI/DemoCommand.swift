import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import SpendwallCatalog
import SpendwallCore
import SpendwallEngine
import Synchronization

/// `spendwall demo`: a gateway on a fresh embedded database with the simulated provider,
/// real budgets and concurrent traffic, some of it over budget.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run a self-contained demo: gateway + simulated provider + budgets + concurrent traffic.",
        discussion: "Needs no API key and leaves nothing behind (it uses a temporary database). Example: spendwall demo --requests 60"
    )
    @Option(help: "Requests per team.") var requests: Int = 60
    @Option(help: "Concurrent clients per team.") var concurrency: Int = 8
    @Flag(help: "Keep the temporary folder and print its path.") var keep = false

    func run() async throws {
        try await CLIError.reporting {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("spendwall-demo-\(getpid())")
            defer { if !keep { try? FileManager.default.removeItem(at: folder) } }
            var configuration = GatewayConfiguration()
            configuration.listen = "127.0.0.1:0"
            configuration.adminListen = "127.0.0.1:0"
            configuration.simulator = SimulatorSettings(firstByteDelayMillis: 5, interChunkDelayMillis: 1)
            for provider in ProviderKind.allCases { configuration.upstreams[provider.rawValue] = UpstreamConfiguration(kind: .simulator) }
            var logger = Logger(label: "spendwall.demo")
            logger.logLevel = .error
            let ready = Mutex<(String, String, String, String?)?>(nil)
            let runtime = GatewayRuntime(configuration: configuration, home: SpendwallHome(url: folder), logger: logger) { data, admin, token, simulator in
                ready.withLock { $0 = (data, admin, token, simulator) }
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await runtime.run() }
                var addresses: (String, String, String, String?)?
                for _ in 0..<1000 where addresses == nil {
                    try await Task.sleep(for: .milliseconds(10))
                    addresses = ready.withLock { $0 }
                }
                guard let (data, admin, token, simulator) = addresses, let simulator else { throw CLIError("the demo gateway did not start") }
                try await DemoScript(
                    dataURL: "http://\(data)", admin: AdminClient(baseURL: "http://\(admin)", token: token),
                    simulatorURL: simulator, requestsPerTeam: requests, concurrency: max(1, concurrency)
                ).run()
                if keep { print("\nkept \(folder.path)") }
                await runtime.shutdown.trigger()
                try await group.waitForAll()
            }
        }
    }
}
