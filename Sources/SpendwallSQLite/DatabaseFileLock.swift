#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import SpendwallStorage

/// The single-writer guard: an advisory `flock(LOCK_EX | LOCK_NB)` on `<database>.lock`.
///
/// SQLite itself would let two gateways share a file, but each keeps budgets and holds in memory,
/// so two of them would each admit spend the other cannot see. The lock refuses the second one.
///
/// The kernel drops an `flock` when its file descriptor closes, which includes the holder dying
/// by `kill -9`, so a crash never leaves a stale lock behind. The descriptor is opened
/// `O_CLOEXEC`, so a child process never inherits it. The holder writes its pid into the file,
/// only so that the refusal can name it.
struct DatabaseFileLock: ~Copyable {
    private let descriptor: Int32

    /// Takes the lock for the database at `databasePath`, or throws `StoreError.Code.locked`.
    init(databasePath: String) throws(StoreError) {
        let lockPath = databasePath + ".lock"
        let descriptor = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw StoreError(.io, "cannot open the lock file \(lockPath): \(Self.describe(errno: errno))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let error = errno
            let holder = Self.readPID(descriptor)
            close(descriptor)
            if error == EWOULDBLOCK || error == EAGAIN {
                throw StoreError(
                    .locked,
                    "another Spendwall process (pid \(holder.map(String.init) ?? "unknown")) is using \(databasePath); "
                        + "stop it first. One SQLite database serves one gateway process; run several behind PostgreSQL."
                )
            }
            throw StoreError(.io, "cannot lock \(lockPath): \(Self.describe(errno: error))")
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(descriptor, 0)
        _ = pid.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        self.descriptor = descriptor
    }

    /// Releases the lock (closing the descriptor drops the `flock`).
    consuming func release() {
        let descriptor = self.descriptor
        discard self
        close(descriptor)
    }

    deinit {
        close(descriptor)
    }

    private static func readPID(_ descriptor: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        let digits = buffer.prefix(count).prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
        return Int32(String(decoding: digits, as: UTF8.self))
    }

    private static func describe(errno code: Int32) -> String {
        guard let text = strerror(code) else { return "errno \(code)" }
        return String(cString: text)
    }
}
