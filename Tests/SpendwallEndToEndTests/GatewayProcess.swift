import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Errors of the end-to-end harness itself (not of the product).
struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Where the `spendwall` binary is: `$SPENDWALL_BINARY`, else `<package root>/.build/debug/spendwall`.
enum SpendwallBinary {
    static var path: String {
        if let path = ProcessInfo.processInfo.environment["SPENDWALL_BINARY"], !path.isEmpty { return path }
        return packageRoot.appendingPathComponent(".build/debug/spendwall").path
    }

    /// `<root>/Tests/SpendwallEndToEndTests/GatewayProcess.swift` → `<root>`.
    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }
}

/// A scratch folder holding one `SPENDWALL_HOME`, config files and the child processes' logs.
/// Removed by `remove()`.
final class Scratch: @unchecked Sendable {
    let root: URL
    let home: URL
    private var counter = 0

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("spendwall-e2e-\(UUID().uuidString.prefix(12))")
        home = root.appendingPathComponent("home")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
    }

    /// A fresh file path under the scratch root.
    func file(_ name: String) -> URL {
        counter += 1
        return root.appendingPathComponent("\(counter)-\(name)")
    }

    /// Writes `text` to a fresh file and returns its path.
    func write(_ name: String, _ text: String) throws -> String {
        let url = file(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    func remove() {
        try? FileManager.default.removeItem(at: root)
    }
}

/// Runs the `spendwall` binary to completion (bounded), capturing its output.
struct CommandResult {
    var exitCode: Int32
    var stdout: String
    var stderr: String
}

enum SpendwallCommand {
    static func run(_ arguments: [String], home: URL, extraEnvironment: [String: String] = [:], timeout: Double = 30) throws -> CommandResult {
        let outURL = FileManager.default.temporaryDirectory.appendingPathComponent("spendwall-cmd-\(UUID().uuidString).out")
        let errURL = FileManager.default.temporaryDirectory.appendingPathComponent("spendwall-cmd-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: outURL)
            try? FileManager.default.removeItem(at: errURL)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: SpendwallBinary.path)
        process.arguments = arguments
        process.environment = GatewayProcess.environment(home: home, extra: extraEnvironment)
        let out = try FileHandle(forWritingTo: outURL)
        let err = try FileHandle(forWritingTo: errURL)
        defer {
            try? out.close()
            try? err.close()
        }
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw HarnessError("spendwall \(arguments.joined(separator: " ")) did not finish in \(timeout) s")
        }
        process.waitUntilExit()
        let stdout = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
        let stderr = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
        return CommandResult(exitCode: process.terminationStatus, stdout: stdout, stderr: stderr)
    }
}

/// One running `spendwall serve --simulator` child process.
final class GatewayProcess: @unchecked Sendable {
    let process: Process
    let home: URL
    let stdoutURL: URL
    let stderrURL: URL
    /// `http://127.0.0.1:PORT` of the data plane.
    let dataURL: String
    /// `http://127.0.0.1:PORT` of the admin listener.
    let adminURL: String
    /// `http://127.0.0.1:PORT` of the in-process simulator.
    let simulatorURL: String
    let adminToken: String
    let pid: Int32
    private var handles: [FileHandle]

    private init(process: Process, home: URL, stdoutURL: URL, stderrURL: URL, ready: ReadyLine, adminToken: String, handles: [FileHandle]) {
        self.process = process
        self.home = home
        self.stdoutURL = stdoutURL
        self.stderrURL = stderrURL
        self.dataURL = "http://" + ready.data
        self.adminURL = "http://" + ready.admin
        self.simulatorURL = ready.simulator ?? ""
        self.pid = ready.pid
        self.adminToken = adminToken
        self.handles = handles
    }

    struct ReadyLine: Decodable {
        var data: String
        var admin: String
        var simulated: Bool
        var simulator: String?
        var pid: Int32
    }

    static func environment(home: URL, extra: [String: String] = [:]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["SPENDWALL_HOME"] = home.path
        environment["SPENDWALL_ADMIN_TOKEN"] = nil
        environment["SPENDWALL_ADMIN_URL"] = nil
        for (name, value) in extra { environment[name] = value }
        return environment
    }

    /// Starts a gateway on `scratch.home` and waits (bounded) for its ready line.
    /// `simulator: false` leaves out `--simulator`, for a gateway whose config names its upstreams.
    static func launch(
        _ scratch: Scratch, config: String? = nil, environment extra: [String: String] = [:], timeout: Double = 30, simulator: Bool = true,
        arguments more: [String] = []
    ) throws -> GatewayProcess {
        let stdoutURL = scratch.file("serve.out")
        let stderrURL = scratch.file("serve.err")
        _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        var arguments = ["serve", "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0", "--json", "--log-level", "warning"]
        if simulator { arguments.insert("--simulator", at: 1) }
        if let config { arguments += ["--config", config] }
        arguments += more
        let process = Process()
        process.executableURL = URL(fileURLWithPath: SpendwallBinary.path)
        process.arguments = arguments
        process.environment = environment(home: scratch.home, extra: extra)
        let out = try FileHandle(forWritingTo: stdoutURL)
        let err = try FileHandle(forWritingTo: stderrURL)
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        guard FileManager.default.isExecutableFile(atPath: SpendwallBinary.path) else {
            throw HarnessError("no spendwall binary at \(SpendwallBinary.path): run `swift build` first or set SPENDWALL_BINARY")
        }
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        var readyLine: ReadyLine?
        while Date() < deadline {
            if let text = try? String(contentsOf: stdoutURL, encoding: .utf8),
               let line = text.split(separator: "\n").first(where: { $0.hasPrefix("{") }),
               let decoded = try? JSONDecoder().decode(ReadyLine.self, from: Data(line.utf8)) {
                readyLine = decoded
                break
            }
            if !process.isRunning { break }
            usleep(20_000)
        }
        guard let readyLine else {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            try? out.close()
            try? err.close()
            let stderr = (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? ""
            throw HarnessError("the gateway did not print its ready line (exit \(process.isRunning ? "running" : String(process.terminationStatus))): \(stderr)")
        }
        let tokenPath = scratch.home.appendingPathComponent("admin-token").path
        let token = ((try? String(contentsOfFile: tokenPath, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        return GatewayProcess(process: process, home: scratch.home, stdoutURL: stdoutURL, stderrURL: stderrURL, ready: readyLine, adminToken: token, handles: [out, err])
    }

    var isRunning: Bool { process.isRunning }

    var stderrText: String { (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "" }

    /// SIGTERM, wait up to `grace` seconds, then SIGKILL. Safe to call twice.
    func stop(grace: Double = 5) {
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            let deadline = Date().addingTimeInterval(grace)
            while process.isRunning && Date() < deadline { usleep(10_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        process.waitUntilExit()
        closeHandles()
    }

    /// `kill -9`: no shutdown, no draining.
    func crash() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        closeHandles()
    }

    private func closeHandles() {
        for handle in handles { try? handle.close() }
        handles = []
    }
}

/// Runs `body` against a fresh gateway in a fresh home; the child process and the folder are
/// always cleaned up, whether `body` succeeds or throws.
func withGateway<T>(configYAML: String? = nil, environment: [String: String] = [:], _ body: (GatewayProcess, Scratch) async throws -> T) async throws -> T {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let config = try configYAML.map { try scratch.write("config.yaml", $0) }
    let gateway = try GatewayProcess.launch(scratch, config: config, environment: environment)
    defer { gateway.stop() }
    return try await body(gateway, scratch)
}
