import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A PostgreSQL server of its own, in a temporary directory, that a test may stop and start
/// (the shared test server must stay up for the other tests). Needs the server binaries:
/// `$SPENDWALL_TEST_PG_BIN`, else the newest `/usr/lib/postgresql/*/bin`. As root, the server
/// runs as the `postgres` user, as PostgreSQL requires.
final class TemporaryPostgres: @unchecked Sendable {
    let directory: URL
    let port: Int
    let binaries: String

    static var binaries: String? {
        if let given = ProcessInfo.processInfo.environment["SPENDWALL_TEST_PG_BIN"], !given.isEmpty { return given }
        let root = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return versions.compactMap(Int.init).sorted().last.map { "\(root)/\($0)/bin" }
            .flatMap { FileManager.default.isExecutableFile(atPath: $0 + "/initdb") ? $0 : nil }
    }

    var url: String { "postgres://spendwall@127.0.0.1:\(port)/postgres" }

    /// Creates and starts a cluster on a free loopback port.
    init() throws {
        guard let binaries = Self.binaries else { throw HarnessError("no PostgreSQL server binaries") }
        self.binaries = binaries
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("spendwall-pg-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        if geteuid() == 0 {
            try FileManager.default.setAttributes([.ownerAccountName: "postgres"], ofItemAtPath: directory.path)
        }
        port = try Self.freePort()
        try run("initdb", ["-D", directory.path + "/data", "-A", "trust", "-U", "spendwall"])
        try start()
    }

    func start() throws {
        try run("pg_ctl", [
            "-D", directory.path + "/data", "-l", directory.path + "/server.log", "-w",
            "-o", "-p \(port) -k \(directory.path) -c listen_addresses=127.0.0.1 -c fsync=off", "start",
        ])
    }

    /// Stops the server at once (open connections are closed, in-flight transactions abort).
    func stop() throws {
        try run("pg_ctl", ["-D", directory.path + "/data", "-m", "fast", "-w", "stop"])
    }

    func remove() {
        try? run("pg_ctl", ["-D", directory.path + "/data", "-m", "immediate", "stop"])
        try? FileManager.default.removeItem(at: directory)
    }

    /// Runs a server tool to completion with `posix_spawn` and `waitpid` (Foundation's
    /// `Process` does not reliably reap `runuser`, whose child leaves a daemon behind).
    private func run(_ tool: String, _ arguments: [String]) throws {
        let path = binaries + "/" + tool
        let argv = geteuid() == 0 ? ["/usr/sbin/runuser", "-u", "postgres", "--", path] + arguments : [path] + arguments
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var pid: pid_t = 0
        let cArguments = argv.map { strdup($0) } + [nil]
        defer { for argument in cArguments { free(argument) } }
        let spawned = withCleanSpawnAttributes { attributes in posix_spawn(&pid, argv[0], &actions, &attributes, cArguments, environ) }
        guard spawned == 0 else { throw HarnessError("could not start \(argv[0]): error \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let exited = (status & 0x7f) == 0
        let code = (status >> 8) & 0xff
        guard exited && code == 0 else { throw HarnessError("\(tool) \(arguments.joined(separator: " ")) failed (status \(status))") }
    }

    private static func freePort() throws -> Int {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(socket, pointer, length) == 0 && getsockname(socket, pointer, &length) == 0
            }
        }
        guard bound else { throw HarnessError("no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
