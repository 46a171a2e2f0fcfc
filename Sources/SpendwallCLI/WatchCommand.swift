import ArgumentParser
import Foundation
import NIOHTTP1
import Synchronization
import UnixSignals

/// `spendwall watch`: a live terminal view of budgets, spend, models, deployments and refusals.
struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch", abstract: "A live view: budgets with bars and forecasts, spend rate, top models, deployments, refusals and kills.",
        discussion: """
            Redraws every --interval seconds from the server's admin API on the terminal's alternate screen, \
            and on resize; Ctrl-C (or SIGTERM) restores the terminal. NO_COLOR turns colours off. --once \
            prints one frame and exits.

            Example: spendwall watch --tenant acme
            """
    )
    @Option(help: "Only this tenant.") var tenant: String?
    @Option(help: "Seconds between refreshes.") var interval: Double = 1
    @Flag(help: "Print one frame to standard output and exit.") var once = false
    @Option(name: .customLong("admin-url"), help: "Admin API URL (default: the running gateway's, else http://127.0.0.1:8788).") var adminURL: String?

    func run() async throws {
        try await CLIError.reporting {
            guard interval >= 0.2 else { throw CLIError("--interval must be at least 0.2 seconds", exitCode: .usage) }
            var options = AdminOptions()
            options.adminURL = adminURL
            let client = try AdminClient.make(options: options)
            if once {
                let frame = try await fetch(client)
                let palette = Palette(enabled: WatchScreen.colours)
                print(frame.lines(columns: WatchScreen.size().columns, palette: palette).joined(separator: "\n"))
                return
            }
            let stop = Atomic<Bool>(false)
            let resized = Atomic<Bool>(false)
            let signals = Task {
                for await signal in await UnixSignalsSequence(trapping: .sigint, .sigterm, .sigwinch) {
                    if signal == .sigwinch { resized.store(true, ordering: .relaxed) } else { stop.store(true, ordering: .relaxed) }
                }
            }
            defer { signals.cancel() }
            WatchScreen.write(WatchScreen.enter)
            defer { WatchScreen.write(WatchScreen.leave) }
            var frame: WatchFrame?
            var lastFetch = ContinuousClock.now - .seconds(3600)
            while !stop.load(ordering: .relaxed) {
                if ContinuousClock.now - lastFetch >= .milliseconds(Int64(interval * 1000)) {
                    lastFetch = .now
                    do {
                        frame = try await fetch(client)
                    } catch {
                        WatchScreen.write(WatchScreen.home + "spendwall watch: \(error)" + WatchScreen.clearLine + "\n" + WatchScreen.clearBelow)
                    }
                    draw(frame)
                } else if resized.exchange(false, ordering: .relaxed) {
                    draw(frame)
                }
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    func draw(_ frame: WatchFrame?) {
        guard let frame else { return }
        let (columns, rows) = WatchScreen.size()
        let lines = frame.lines(columns: columns, palette: Palette(enabled: WatchScreen.colours)).prefix(rows - 1)
        WatchScreen.write(WatchScreen.home + lines.map { $0 + WatchScreen.clearLine }.joined(separator: "\n") + "\n" + WatchScreen.clearBelow)
    }

    /// Everything a frame shows, read from the admin API.
    func fetch(_ client: AdminClient) async throws -> WatchFrame {
        let filter = tenant.map { "tenant=\($0)" }
        func path(_ base: String, _ extra: String...) -> String {
            let parameters = (filter.map { [$0] } ?? []) + extra
            return parameters.isEmpty ? base : base + "?" + parameters.joined(separator: "&")
        }
        let now = Date()
        let recent = Int64((now.timeIntervalSince1970 - 15 * 60) * 1000)
        let budgets = try await client.send(.GET, path("/budgets")) as? [[String: Any]] ?? []
        let models = try await client.send(.GET, path("/spend", "group_by=model")) as? [[String: Any]] ?? []
        let windows = try await client.send(.GET, path("/spend/recent", "windows=30")) as? [[String: Any]] ?? []
        let deployments = (try? await client.send(.GET, path("/deployments")) as? [[String: Any]]) ?? []
        let refusals = try await client.send(.GET, path("/refusals", "group_by=tenant", "from=\(recent)")) as? [[String: Any]] ?? []
        let blocks = try await client.send(.GET, path("/blocks")) as? [[String: Any]] ?? []
        let steps = windows.map { WatchFrame.int($0["total"]) }
        var reasons: [String: Int64] = [:]
        for row in refusals { reasons[Output.string(row["reason"]), default: 0] += WatchFrame.int(row["count"]) }
        return WatchFrame(
            tenant: tenant, budgets: budgets, models: models, deployments: deployments,
            refusals: reasons.sorted { $0.value > $1.value }.map { ["reason": $0.key, "count": $0.value] }, blocks: blocks,
            spendSteps: steps, intervalSeconds: 10, now: now
        )
    }
}
