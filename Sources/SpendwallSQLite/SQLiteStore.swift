import Dispatch
import GRDB
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SpendwallCore
import SpendwallStorage
import Synchronization

/// The embedded `SpendStore`: one SQLite file in WAL mode, opened by exactly one gateway process.
///
/// ```swift
/// let store = try SQLiteStore(path: "/var/lib/spendwall/spendwall.sqlite")
/// defer { try? store.close() }
/// try await store.recordHold(hold)      // durable when it returns
/// ```
///
/// - The hot-path writes (`recordHold`, `settle`) go through a ``WriteBatcher``: under
///   concurrency, every write waiting at the same moment commits in one transaction (group
///   commit), on the caller's thread; alone, a write is one small transaction with no added delay.
/// - A second process opening the same file is refused with `StoreError.Code.locked` (see
///   ``close()``); the lock dies with the process, even on `kill -9`.
/// - Reads use the pool's reader connections and never wait for writes.
public final class SQLiteStore: SpendStore {
    /// How hard a commit works to survive a crash.
    public enum Durability: String, Sendable, Hashable, CaseIterable {
        /// `synchronous=NORMAL`: a committed transaction survives the process dying (including
        /// `kill -9`), but the last transactions may roll back if the machine loses power or the
        /// OS crashes. The database is never corrupted either way. The fast default.
        case normal
        /// `synchronous=FULL`: the WAL is fsynced on every commit, so a commit also survives
        /// power loss and OS crashes, at the cost of one fsync per batch.
        case full
    }

    /// The database file.
    public let path: String
    /// The commit durability this store was opened with.
    public let durability: Durability

    let pool: DatabasePool
    let batcher: WriteBatcher<Database, HotWrite, Bool>
    private let fileLock: Mutex<DatabaseFileLock?>
    /// A connection used only for PASSIVE checkpoints, opened on first use.
    private let checkpointConnection = Mutex<DatabaseQueue?>(nil)

    /// Opens (creating if needed) the database at `path`, migrates it, and takes the
    /// single-process lock `<path>.lock`.
    ///
    /// - Throws: `StoreError` `.locked` when another process has the database open, `.io` when it
    ///   cannot be opened or migrated.
    /// - Parameter gather: how the leader of a group commit lets the other ready writers queue
    ///   behind it (see ``WriteBatcher``); `Task.yield()` by default.
    public init(path: String, durability: Durability = .normal, gather: (@Sendable () async -> Void)? = nil) throws {
        let lock = try DatabaseFileLock(databasePath: path)
        var configuration = Configuration()
        configuration.journalMode = .wal
        // Waits for a lock in 100 µs steps (for 5 s at most). SQLite's own timeout sleeps 1, 2, 5,
        // 10 ms…, so a commit that met the checkpoint's brief writer lock slept far longer than
        // the lock was held, on the event loop.
        configuration.busyMode = .callback { tries in
            guard tries < Self.busyRetries else { return false }
            usleep(Self.busyRetryMicros)
            return true
        }
        configuration.label = "spendwall"
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            // GRDB sets synchronous=NORMAL when it enables WAL, after `prepareDatabase` runs, so the
            // level is set here, on the writer connection (the only one that commits).
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: durability == .full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL")
                // Checkpoints (the only fsync under NORMAL) run from `checkpoint()`, off the commit
                // path; the automatic one stays as a safety net at a large threshold.
                try db.execute(sql: "PRAGMA wal_autocheckpoint = \(Self.safetyCheckpointPages)")
            }
            try Self.migrator.migrate(pool)
        } catch {
            // `lock` goes out of scope here, and its deinit releases it.
            throw StoreError.wrapping(error, action: "open the database at \(path)")
        }
        self.path = path
        self.durability = durability
        self.pool = pool
        self.fileLock = Mutex(lock)
        self.batcher = WriteBatcher(
            execute: { body in try pool.writeWithoutTransaction { db in body(db) } },
            schedule: { drain in pool.asyncWriteWithoutTransaction(drain) },
            commit: { db, writes in Self.commit(writes, in: db) },
            gather: gather ?? { await Task.yield() }
        )
    }

    /// Closes the database and releases the process lock, so another process may open the file.
    /// Calling it again does nothing; the store must not be used afterwards.
    public func close() throws {
        guard let lock = fileLock.withLock({ $0.take() }) else { return }
        var failure: StoreError?
        do {
            try checkpointConnection.withLock { connection in
                try connection?.close()
                connection = nil
            }
            try pool.close()
        } catch {
            failure = StoreError.wrapping(error, action: "close the database at \(path)")
        }
        lock.release()
        if let failure { throw failure }
    }

    /// WAL pages after which a commit checkpoints by itself if `checkpoint()` is not being run.
    static let safetyCheckpointPages = 20_000

    static let busyRetryMicros: UInt32 = 100
    static let busyRetries = 50_000

    /// WAL frames (about 4 KiB each) from which `checkpoint()` also starts the log over.
    public static let restartCheckpointFrames = 2_000

    /// Copies committed WAL frames into the database file with a PASSIVE checkpoint on a
    /// separate connection: it takes no writer lock, so commits (and requests) never wait for
    /// its fsync. The gateway runs it every second; without it the WAL still checkpoints itself
    /// every `safetyCheckpointPages` pages.
    ///
    /// Under sustained writes a PASSIVE checkpoint never quite catches up with the writer, so
    /// the log is never reused: it would grow until the writer's own safety checkpoint copied
    /// all of it inside a commit (a stall of a large fraction of a second). So once the log holds
    /// `restartAbove` frames, a RESTART checkpoint follows the PASSIVE one: it copies the few
    /// frames written meanwhile while holding the writer lock (commits wait that long, a few
    /// milliseconds) so that the next commit starts the log over. The file keeps its size (it is
    /// overwritten from the start; truncating it would free and re-allocate its blocks each time).
    ///
    /// - Returns: the frames the log held before the checkpoint, and whether it was restarted.
    @discardableResult
    public func checkpoint(restartAbove: Int = SQLiteStore.restartCheckpointFrames) async throws -> (walFrames: Int, restarted: Bool) {
        let checkpointer = try checkpointConnection.withLock { connection -> DatabaseQueue in
            if let connection { return connection }
            var configuration = Configuration()
            configuration.busyMode = .timeout(5)
            configuration.label = "spendwall.checkpoint"
            // Background priority: the copy into the database file must never preempt requests.
            configuration.qos = .background
            let opened = try DatabaseQueue(path: path, configuration: configuration)
            connection = opened
            return opened
        }
        do {
            return try await checkpointer.writeWithoutTransaction { db in
                let passive = try db.checkpoint(.passive)
                guard passive.walFrameCount >= restartAbove else { return (passive.walFrameCount, false) }
                do {
                    _ = try db.checkpoint(.restart)
                } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY {
                    // Another connection held on (SQLite gives up early rather than risk a
                    // deadlock): the frames are copied all the same; the next run restarts the log.
                    return (passive.walFrameCount, false)
                }
                return (passive.walFrameCount, true)
            }
        } catch {
            throw StoreError.wrapping(error, action: "checkpoint the database at \(path)")
        }
    }

    /// Group-commit counters of the hot-path writes.
    package var batchStatistics: WriteBatchStatistics { batcher.statistics }

    // MARK: Hot path

    /// Makes a hold durable; returns once its batch has committed.
    public func recordHold(_ hold: HoldRecord) async throws {
        _ = try await batcher.submit(.recordHold(hold))
    }

    /// Appends the ledger row, deletes its hold and adds the cost to every share's usage, once
    /// per hold id; returns whether this call did it.
    @discardableResult
    public func settle(_ entry: LedgerEntry) async throws -> Bool {
        try await batcher.submit(.settle(entry))
    }

    /// Runs one batch in one `BEGIN IMMEDIATE` transaction.
    ///
    /// A write that breaks a constraint (a duplicate hold id) fails alone: the transaction rolls
    /// back, that write gets its error, and the rest of the batch is retried without it. Any other
    /// failure (I/O, disk full, the commit itself) fails the whole batch.
    static func commit(_ writes: [HotWrite], in db: Database) -> [Result<Bool, any Error>] {
        var results = [Result<Bool, any Error>?](repeating: nil, count: writes.count)
        var remaining = Array(writes.indices)
        while !remaining.isEmpty {
            var outputs: [Bool] = []
            var failedPosition: Int?
            do {
                try db.inTransaction(.immediate) {
                    outputs.removeAll(keepingCapacity: true)
                    for (position, index) in remaining.enumerated() {
                        failedPosition = position
                        outputs.append(try writes[index].apply(db))
                    }
                    failedPosition = nil
                    return .commit
                }
                for (position, index) in remaining.enumerated() { results[index] = .success(outputs[position]) }
                remaining = []
            } catch {
                if let position = failedPosition, StoreError.isConfinedToOperation(error) {
                    let index = remaining.remove(at: position)
                    let write = writes[index]
                    results[index] = .failure(StoreError.wrapping(error, action: "write", duplicate: write.duplicateMessage))
                } else {
                    let failure = StoreError.wrapping(error, action: "commit \(remaining.count) writes")
                    for index in remaining { results[index] = .failure(failure) }
                    remaining = []
                }
            }
        }
        return results.map { $0 ?? .failure(StoreError(.io, "write was not attempted")) }
    }
}
