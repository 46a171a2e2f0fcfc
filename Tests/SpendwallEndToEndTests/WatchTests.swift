import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `spendwall watch` in a real terminal: tmux runs it, its screen is read with capture-pane.
@Suite(.serialized) struct WatchTests {
    /// Runs a tmux command on its own server socket and returns what it printed. Spawned with
    /// posix_spawn and waited for with waitpid: the tmux server that `new-session` forks would keep
    /// Foundation's exit-watching descriptor (and an output pipe) open forever.
    static func tmux(_ socket: String, _ arguments: [String]) throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("tmux-\(UUID().uuidString).out")
        defer { try? FileManager.default.removeItem(at: file) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, file.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = (["tmux", "-L", socket] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = withCleanSpawnAttributes { attributes in posix_spawnp(&pid, "tmux", &actions, &attributes, argv, environ) }
        guard spawned == 0 else { throw HarnessError("tmux did not start") }
        var status: Int32 = 0
        _ = waitpid(pid, &status, 0)
        return (try? String(contentsOf: file, encoding: .utf8)) ?? ""
    }

    static var hasTmux: Bool {
        ["/usr/bin/tmux", "/bin/tmux", "/usr/local/bin/tmux"].contains { FileManager.default.isExecutableFile(atPath: $0) }
    }

    @Test("watch draws budgets, spend rate, models and refusals on the alternate screen, redraws on resize, and Ctrl-C restores the terminal (exit 0); --once prints a frame without colours under NO_COLOR")
    func liveView() async throws {
        guard Self.hasTmux else {
            #expect(ProcessInfo.processInfo.environment["CI"] != "true", "CI installs tmux (scripts/test)")
            print("tmux is not installed: the watch terminal test is skipped")
            return
        }
        try await withGateway { gateway, scratch in
            let account = try await gateway.makeAccount("watch")
            _ = try await gateway.setBudget(tenant: account.tenant, scope: "team", scopeID: account.team, limitDollars: "0.0001", period: "daily")
            #expect(try await gateway.chat(secret: account.secret, maxTokens: 10).status == 200)
            #expect(try await gateway.chat(secret: account.secret, maxTokens: 4000).status == 402)

            let once = try SpendwallCommand.run(["watch", "--once"], home: scratch.home, extraEnvironment: ["NO_COLOR": "1"])
            #expect(once.exitCode == 0 && once.stdout.contains("BUDGETS") && once.stdout.contains("team:\(account.team)"), "\(once.stdout) \(once.stderr)")
            #expect(once.stdout.contains("budget_exceeded") && once.stdout.contains("gpt-4o-mini") && !once.stdout.contains("\u{1B}["), "no escape codes under NO_COLOR")
            #expect(once.stdout.contains("█"), "the sparkline shows the 10-second window with the spend")

            let socket = "spendwall-\(UUID().uuidString.prefix(8))"
            defer { _ = try? Self.tmux(socket, ["kill-server"]) }
            let command = "sh -c 'trap : INT; SPENDWALL_HOME=\(scratch.home.path) \(SpendwallBinary.path) watch --interval 0.3; echo watch-exited=$?'"
            _ = try Self.tmux(socket, ["new-session", "-d", "-x", "150", "-y", "45", "-s", "w", command])
            _ = try Self.tmux(socket, ["set-option", "-t", "w", "remain-on-exit", "on"])
            var screen = ""
            for _ in 0..<50 {
                try await Task.sleep(for: .milliseconds(100))
                screen = try Self.tmux(socket, ["capture-pane", "-p", "-t", "w"])
                if screen.contains("BUDGETS") && screen.contains("TOP MODELS") { break }
            }
            #expect(screen.contains("BUDGETS") && screen.contains("team:\(account.team)") && screen.contains("budget_exceeded"), "\(screen)")
            #expect(try Self.tmux(socket, ["display-message", "-p", "-t", "w", "#{alternate_on}"]).hasPrefix("1"), "on the alternate screen")

            _ = try Self.tmux(socket, ["resize-window", "-t", "w", "-x", "100", "-y", "30"])
            try await Task.sleep(for: .milliseconds(600))
            screen = try Self.tmux(socket, ["capture-pane", "-p", "-t", "w"])
            #expect(screen.contains("BUDGETS") && screen.split(separator: "\n").allSatisfy { $0.count <= 100 }, "redrawn at the new size")

            _ = try Self.tmux(socket, ["send-keys", "-t", "w", "C-c"])
            var dead = ""
            for _ in 0..<50 {
                try await Task.sleep(for: .milliseconds(100))
                dead = try Self.tmux(socket, ["display-message", "-p", "-t", "w", "#{pane_dead} #{alternate_on}"])
                if dead.hasPrefix("1") { break }
            }
            #expect(dead.hasPrefix("1 0"), "ended and left the alternate screen: \(dead)")
            let normal = try Self.tmux(socket, ["capture-pane", "-p", "-S", "-", "-t", "w"])
            #expect(normal.contains("watch-exited=0") && !normal.contains("BUDGETS"), "the normal screen is back and watch exited 0: \(normal)")
        }
    }
}
