#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import GRDB
import SpendwallCore
@testable import SpendwallSQLite
import SpendwallStorage
import Testing

/// Behaviour only the SQLite store has: files, the process lock, durability, group commit.
@Suite("SQLiteStore")
struct SQLiteStoreTests {
    @Test("open holds and the ledger survive closing and reopening")
    func reopen() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/spendwall.sqlite"
            let first = try SQLiteStore(path: path)
            let open = Fixtures.hold("open")
            let settled = Fixtures.hold("settled")
            try await first.recordHold(open)
            try await first.recordHold(settled)
            try await first.settle(Fixtures.entry(for: settled, cost: .microdollars(5)))
            try first.close()

            let second = try SQLiteStore(path: path)
            defer { try? second.close() }
            #expect(try await second.openHolds() == [open])
            #expect(try await second.ledger(tenantID: nil, limit: 5).map(\.holdID) == ["settled"])
            #expect(try await second.spent(budgetID: "b-team", windowStart: 1_000) == .microdollars(5))
        }
    }

    @Test("a database from before audio tokens is migrated: its rows read with no audio, new rows keep theirs")
    func migratesVersionOneDatabases() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/spendwall.sqlite"
            do {
                let queue = try DatabaseQueue(path: path)
                try SQLiteStore.migrator.migrate(queue, upTo: "v1")
                try await queue.write { db in
                    try db.execute(sql: """
                        INSERT INTO ledger (request_id, hold_id, key_id, tenant_id, tags, provider, model, endpoint,
                            input_tokens, cached_input_tokens, cache_write_tokens, extended_cache_write_tokens, output_tokens,
                            reasoning_tokens, rate_input, rate_output, catalog_version, cost_nanos, list_cost_nanos, hold_nanos,
                            status, latency_ms, started_at, finished_at, shares)
                        VALUES ('req-old', 'old', 'k1', 't1', '[]', 'openai', 'gpt-4o', '/v1/chat/completions',
                            10, 0, 0, 0, 5, 0, 2500000, 10000000, 'v', 75, 75, 100, 'settled', 1, 50, 51, '[]')
                        """)
                }
                try queue.close()
            }
            let store = try SQLiteStore(path: path)
            defer { try? store.close() }
            let new = Fixtures.hold("new")
            try await store.recordHold(new)
            let entry = Fixtures.entry(for: new, cost: .microdollars(5))
            try await store.settle(entry)
            let rows = try await store.ledger(tenantID: nil, limit: 5)
            let migrated = try #require(rows.first { $0.holdID == "old" })
            #expect(migrated.usage == TokenUsage(input: 10, output: 5))
            #expect(migrated.rates.audioInput == nil && migrated.rates.audioOutput == nil)
            #expect(rows.first { $0.holdID == "new" } == entry)
        }
    }

    @Test("background checkpoints run beside hot-path writes and move the WAL into the database file")
    func checkpointBesideWrites() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/spendwall.sqlite"
            let store = try SQLiteStore(path: path)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<200 {
                    group.addTask {
                        let hold = Fixtures.hold("h\(index)")
                        try await store.recordHold(hold)
                        try await store.settle(Fixtures.entry(for: hold, cost: .microdollars(1)))
                    }
                }
                group.addTask { for _ in 0..<5 { try await store.checkpoint() } }
                try await group.waitForAll()
            }
            try await store.checkpoint()
            // A PASSIVE checkpoint with no reader in the way copies every frame: the frames
            // already checkpointed equal the frames in the log.
            let (log, done) = try await store.pool.writeWithoutTransaction { db -> (Int, Int) in
                let row = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(PASSIVE)")
                return (row?[1] ?? -1, row?[2] ?? -2)
            }
            #expect(log == done)
            try store.close()
            let reopened = try SQLiteStore(path: path)
            defer { try? reopened.close() }
            #expect(try await reopened.ledger(tenantID: nil, limit: 1_000).count == 200)
            #expect(try await reopened.spent(budgetID: "b-team", windowStart: 1_000) == .microdollars(200))
        }
    }

    @Test("under sustained writes a large log is restarted by the checkpoint, and nothing is lost")
    func checkpointRestartsALargeLog() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/spendwall.sqlite"
            let store = try SQLiteStore(path: path)
            // Writers keep going while checkpoints run: PASSIVE alone would leave the log growing.
            let outcomes = try await withThrowingTaskGroup(of: [(walFrames: Int, restarted: Bool)].self) { group in
                group.addTask {
                    for index in 0..<300 {
                        let hold = Fixtures.hold("s\(index)")
                        try await store.recordHold(hold)
                        try await store.settle(Fixtures.entry(for: hold, cost: .microdollars(1)))
                    }
                    return []
                }
                group.addTask {
                    var outcomes: [(walFrames: Int, restarted: Bool)] = []
                    for _ in 0..<20 {
                        outcomes.append(try await store.checkpoint(restartAbove: 50))
                        try await Task.sleep(for: .milliseconds(5))
                    }
                    return outcomes
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            #expect(outcomes.contains { $0.restarted }, "\(outcomes)")
            #expect(outcomes.allSatisfy { $0.restarted == ($0.walFrames >= 50) }, "\(outcomes)")
            // With the writers done, a restart succeeds (SQLite may decline one while a writer holds on).
            var restarted = false
            for _ in 0..<20 where !restarted { restarted = try await store.checkpoint(restartAbove: 0).restarted }
            #expect(restarted)
            // The next commit starts the log over: it holds only that commit's frames.
            try await store.recordHold(Fixtures.hold("after"))
            let logFrames = try await store.pool.writeWithoutTransaction { db -> Int in
                try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(PASSIVE)")?[1] ?? -1
            }
            #expect(logFrames > 0 && logFrames < 10, "\(logFrames) frames after a restart")
            // Below the threshold the log is left alone.
            #expect(try await store.checkpoint().restarted == false)
            try store.close()
            let reopened = try SQLiteStore(path: path)
            defer { try? reopened.close() }
            #expect(try await reopened.ledger(tenantID: nil, limit: 1_000).count == 300)
            #expect(try await reopened.openHolds().map(\.hold.id) == ["after"])
        }
    }

    @Test("a second store on the same file is refused until the first closes")
    func singleWriterLock() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/spendwall.sqlite"
            let first = try SQLiteStore(path: path)
            let refusal = #expect(throws: StoreError.self) { try SQLiteStore(path: path) }
            #expect(refusal?.code == .locked)
            #expect(refusal?.message.contains("pid \(getpid())") == true)
            #expect(refusal?.message.contains(path) == true)

            try first.close()
            try first.close()  // a second close does nothing
            let second = try SQLiteStore(path: path)
            try second.close()
        }
    }

    @Test("durability sets the writer's synchronous level", arguments: SQLiteStore.Durability.allCases)
    func durability(level: SQLiteStore.Durability) async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteStore(path: directory + "/spendwall.sqlite", durability: level)
            defer { try? store.close() }
            let (synchronous, journal) = try await store.pool.writeWithoutTransaction { db in
                (try Int.fetchOne(db, sql: "PRAGMA synchronous"), try String.fetchOne(db, sql: "PRAGMA journal_mode"))
            }
            #expect(synchronous == (level == .full ? 2 : 1))
            #expect(journal == "wal")
        }
    }

    @Test("errors describe the problem without SQL or secrets")
    func errorDescriptions() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteStore(path: directory + "/spendwall.sqlite")
            defer { try? store.close() }
            try await store.insertKey(Fixtures.key("k1", secretHash: "s3cr3t-hash"))
            let error = await #expect(throws: StoreError.self) {
                try await store.insertKey(Fixtures.key("k2", secretHash: "s3cr3t-hash"))
            }
            let text = error.map(String.init(describing:)) ?? ""
            #expect(error?.code == .duplicate)
            #expect(!text.contains("INSERT"))
            #expect(!text.contains("s3cr3t"))
        }
    }

    @Test("concurrent writes share transactions")
    func groupCommit() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteStore(path: directory + "/spendwall.sqlite")
            defer { try? store.close() }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<300 {
                    group.addTask { try await store.recordHold(Fixtures.hold("h\(index)")) }
                }
                try await group.waitForAll()
            }
            let statistics = store.batchStatistics
            #expect(statistics.operations == 300)
            #expect(statistics.batches < 300)
            #expect(try await store.openHolds().count == 300)
        }
    }

    @Test("a write that breaks a constraint fails alone; the rest of its batch commits")
    func batchIsolation() throws {
        let queue = try DatabaseQueue()
        try SQLiteStore.migrator.migrate(queue)
        let hold = Fixtures.hold("h1")
        let writes: [HotWrite] = [
            .recordHold(hold), .recordHold(hold), .settle(Fixtures.entry(for: hold, cost: .microdollars(3))),
            .recordHold(Fixtures.hold("h2")), .settle(Fixtures.entry(for: hold, cost: .microdollars(3))),
        ]
        let results = queue.writeWithoutTransaction { db in SQLiteStore.commit(writes, in: db) }
        #expect(results.count == 5)
        #expect((try? results[0].get()) == true)
        if case .failure(let error) = results[1] {
            #expect((error as? StoreError)?.code == .duplicate)
        } else {
            Issue.record("a second hold with the same id must fail")
        }
        #expect((try? results[2].get()) == true)
        #expect((try? results[3].get()) == true)
        #expect((try? results[4].get()) == false)
        let holds = try queue.read { db in try String.fetchAll(db, sql: "SELECT hold_id FROM holds") }
        #expect(holds == ["h2"])
    }

    @Test("list columns round-trip any text through their JSON encoding")
    func jsonText() throws {
        let strings = ["plain", "quote\" back\\slash", "line\nbreak\ttab\r", "\u{1}\u{1F}control", "é 😀 日本", ""]
        #expect(try JSONText.decodeStrings(ColumnJSON.encode(strings)) == strings)
        #expect(try JSONText.decodeStrings(ColumnJSON.encode([String]())) == [])
        let shares = [HoldShare(budget: "b\"1", windowStart: -5), HoldShare(budget: "b2", windowStart: .max)]
        #expect(try JSONText.decodeShares(ColumnJSON.encode(shares)) == shares)
    }

    @Test("unit rates written by hand read back as the same rates, in the text JSONEncoder writes for them")
    func rateText() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let examples = [
            TokenRates(input: 2_500_000, output: 10_000_000),
            TokenRates(input: 0, output: -1, cachedInput: 1_250_000, cacheWrite: 3_750_000, extendedCacheWrite: 6_000_000, reasoning: .max, audioInput: 7, audioOutput: .min),
            TokenRates(input: 1, output: 2, reasoning: 3),
        ]
        for rates in examples {
            let text = ColumnJSON.encode(rates)
            #expect(try JSONDecoder().decode(TokenRates.self, from: Data(text.utf8)) == rates)
            #expect(text == String(decoding: try encoder.encode(rates), as: UTF8.self))
        }
    }
}
