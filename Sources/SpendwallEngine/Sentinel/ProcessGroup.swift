#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// An engine started in a process group of its own, so that stopping it stops everything it
/// started: SIGTERM to the whole group, a grace period, then SIGKILL.
public struct ProcessGroup: Sendable, Hashable {
    /// The leader's pid, which is also the group id.
    public var pid: Int32

    public init(pid: Int32) {
        self.pid = pid
    }

    public struct LaunchError: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// Starts `command` (program first; looked up in `PATH` when it has no slash) as the leader
    /// of a new process group, with stdin from /dev/null and stdout and stderr appended to
    /// `logPath`, and `environment` added to this process's.
    public static func launch(_ command: [String], logPath: String, environment: [String: String]) throws(LaunchError) -> ProcessGroup {
        guard let program = command.first, !program.isEmpty else { throw LaunchError(description: "no command to start") }
        var fileActions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        posix_spawn_file_actions_init(&fileActions)
        posix_spawnattr_init(&attributes)
        defer {
            posix_spawn_file_actions_destroy(&fileActions)
            posix_spawnattr_destroy(&attributes)
        }
        posix_spawn_file_actions_addopen(&fileActions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&fileActions, 1, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&fileActions, 1, 2)
        // Nothing else of this server's (listening sockets, the database, pipes a supervisor
        // watches for this process's exit) may live on in the engine.
        closeInheritedDescriptors(&fileActions)
        posix_spawnattr_setpgroup(&attributes, 0)
        // Signals this server ignores or blocks must not be inherited by the engine.
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGQUIT] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        posix_spawnattr_setsigmask(&attributes, &unblocked)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        var merged = ProcessInfo.processInfo.environment
        for (name, value) in environment { merged[name] = value }
        let environmentLines = merged.map { "\($0.key)=\($0.value)" }
        var pid: pid_t = 0
        let status = withCStrings(command) { argv in
            withCStrings(environmentLines) { envp in
                program.contains("/")
                    ? posix_spawn(&pid, program, &fileActions, &attributes, argv, envp)
                    : posix_spawnp(&pid, program, &fileActions, &attributes, argv, envp)
            }
        }
        guard status == 0 else {
            throw LaunchError(description: "could not start '\(program)': \(String(cString: strerror(status)))")
        }
        return ProcessGroup(pid: pid)
    }

    /// Sends `signal` to every process of the group.
    public func signal(_ signal: Int32) {
        _ = kill(-pid, signal)
    }

    /// Collects the leader's exit status if it is this process's child and has ended; nil while
    /// it runs (or when it is not this process's child).
    public func reap() -> String? {
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        guard result == pid else { return nil }
        let signalled = status & 0x7f
        if signalled == 0 { return "exit \((status >> 8) & 0xff)" }
        return "signal \(signalled)"
    }

    /// Whether the leader runs (a zombie does not count).
    public var leaderAlive: Bool {
        guard let stat = Self.stat(of: pid) else { return false }
        return stat.state != "Z" && stat.state != "X"
    }

    /// The living processes of the group (zombies left out), read from `/proc`.
    public var livingMembers: [Int32] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap(Int32.init).filter { candidate in
            guard let stat = Self.stat(of: candidate) else { return false }
            return stat.processGroup == pid && stat.state != "Z" && stat.state != "X"
        }
    }

    /// The leader's start time in clock ticks since boot, to tell it from a later process that
    /// got the same pid.
    public var startTicks: UInt64? { Self.stat(of: pid)?.startTicks }

    struct Stat {
        var state: Character
        var processGroup: Int32
        var startTicks: UInt64
    }

    /// Fields of `/proc/PID/stat` (the command name in parentheses may hold spaces).
    static func stat(of pid: Int32) -> Stat? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (state); field 5 is the process group; field 22 the start time.
        guard fields.count > 19, let state = fields[0].first, let group = Int32(fields[2]), let start = UInt64(fields[19]) else { return nil }
        return Stat(state: state, processGroup: group, startTicks: start)
    }
}

/// Adds close actions for every descriptor from 3 up: glibc's `closefrom` action (2.34+, looked
/// up at run time as the Swift module does not declare it), else each descriptor open now.
private func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) {
    typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    if let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") {
        let closeFrom = unsafeBitCast(symbol, to: CloseFrom.self)
        if closeFrom(&actions, 3) == 0 { return }
    }
    let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd"))?.compactMap(Int32.init) ?? []
    for descriptor in open where descriptor > 2 && fcntl(descriptor, F_GETFD) != -1 {
        posix_spawn_file_actions_addclose(&actions, descriptor)
    }
}

/// Calls `body` with a NULL-terminated C array of the strings.
private func withCStrings<Result>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> Result) -> Result {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    pointers.append(nil)
    defer { for pointer in pointers { free(pointer) } }
    return body(pointers)
}
