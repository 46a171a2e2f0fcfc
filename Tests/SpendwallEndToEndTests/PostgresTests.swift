import Foundation
import Logging
import NIOHTTP1
import PostgresNIO
import Testing

extension EndToEnd {
    /// `spendwall serve` on PostgreSQL (when the test script provides a server).
    @Suite(.enabled(if: ProcessInfo.processInfo.environment["SPENDWALL_TEST_POSTGRES_URL"]?.isEmpty == false))
    struct OnPostgres {
        /// A fresh database on the test server; returns its URL.
        static func freshDatabase() async throws -> String {
            let server = try #require(ProcessInfo.processInfo.environment["SPENDWALL_TEST_POSTGRES_URL"])
            var components = try #require(URLComponents(string: server))
            let name = "spendwall_e2e_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(12)
            try await onServer(components, "CREATE DATABASE \(name)")
            components.path = "/" + name
            return components.string!
        }

        static func dropDatabase(_ url: String) async throws {
            let server = try #require(ProcessInfo.processInfo.environment["SPENDWALL_TEST_POSTGRES_URL"])
            let name = try #require(URLComponents(string: url)?.path.dropFirst())
            try await onServer(try #require(URLComponents(string: server)), "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
        }

        static func onServer(_ components: URLComponents, _ sql: String) async throws {
            var quiet = Logger(label: "test")
            quiet.logLevel = .error
            let client = PostgresClient(configuration: PostgresClient.Configuration(
                host: components.host!, port: components.port ?? 5432, username: components.user ?? "postgres", password: components.password,
                database: "postgres", tls: .disable
            ), backgroundLogger: quiet)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await client.run() }
                defer { group.cancelAll() }
                try await client.query(PostgresQuery(unsafeSQL: sql))
            }
        }

        @Test("serve --database postgres://…: migrates, reserves and settles there; spendwall migrate is idempotent; kill -9 leaves a durable hold that a restarted gateway charges in full, once, when it expires")
        func serveOnPostgres() async throws {
            let url = try await Self.freshDatabase()
            let migrated = try SpendwallCommand.run(["migrate", "--database", url], home: FileManager.default.temporaryDirectory)
            #expect(migrated.exitCode == 0 && migrated.stdout.contains("applied v1, v2-shared-budgets"), "\(migrated.stdout) \(migrated.stderr)")
            let again = try SpendwallCommand.run(["migrate", "--database", url], home: FileManager.default.temporaryDirectory)
            #expect(again.exitCode == 0 && !again.stdout.contains("applied"), "\(again.stdout)")

            let config = "database: \(url)\nhold_lifetime_seconds: 2\nsimulator: { inter_chunk_delay_ms: 100 }\n"
            try await withGateway(configYAML: config) { gateway, _ in
                let account = try await gateway.makeAccount("pg")
                let budget = try await gateway.setBudget(tenant: account.tenant, scope: "team", scopeID: account.team, limitDollars: "1")
                #expect(try await gateway.chat(secret: account.secret).status == 200)
                let rows = try await gateway.settled(rows: 1)
                #expect(rows.count == 1 && rows[0].cost > 0 && rows[0].cost == rows[0].recomputedCost)
                let status = try #require(try await gateway.budgets(tenant: account.tenant).first { $0.budget.id == budget })
                #expect(status.spent == rows[0].cost)

                // A stream in flight when the gateway dies leaves a durable hold behind.
                let stream = Task {
                    try? await HTTP.streamTolerant(gateway.dataURL + "/v1/chat/completions", headers: Dialect.openai.authHeaders(account.secret),
                                                   json: ["model": "gpt-4o-mini", "max_tokens": 200, "stream": true, "messages": [["role": "user", "content": "long"]]])
                }
                try await Task.sleep(for: .milliseconds(500))
                gateway.crash()
                _ = await stream.value
            }
            // Restarted on the same database: the hold is not charged at start (on a shared
            // database it might be another replica's); once expired it is charged in full, once.
            try await withGateway(configYAML: config) { gateway, _ in
                let rows = try await gateway.settled(rows: 2, timeout: 10)
                #expect(rows.filter { $0.status == "expired" }.count == 1, "\(rows.map(\.status))")
                #expect(rows.first { $0.status == "expired" }.map { $0.cost == $0.hold } == true)
                #expect(try await gateway.status().openHolds == 0)
            }
            let check = try SpendwallCommand.run(["check-ledger", "--database", url], home: FileManager.default.temporaryDirectory)
            #expect(check.exitCode == 0 && check.stdout.contains("2 ledger rows, 0 open holds"), "\(check.stdout) \(check.stderr)")
            try await Self.dropDatabase(url)
        }

        @Test("on SIGTERM every ledger row written after its answer lands before the gateway exits: one row per answered request, no open hold")
        func gracefulStopWritesEveryRow() async throws {
            let url = try await Self.freshDatabase()
            let answered = try await withGateway(configYAML: "database: \(url)\n") { gateway, _ in
                let account = try await gateway.makeAccount("drain")
                let answered = try await withThrowingTaskGroup(of: Int.self) { group in
                    for _ in 0..<64 { group.addTask { try await gateway.chat(secret: account.secret).status } }
                    var ok = 0
                    for try await status in group where status == 200 { ok += 1 }
                    return ok
                }
                // At once: the last rows are still being written.
                gateway.stop()
                return answered
            }
            #expect(answered == 64)
            let check = try SpendwallCommand.run(["check-ledger", "--database", url], home: FileManager.default.temporaryDirectory)
            #expect(check.exitCode == 0 && check.stdout.contains("\(answered) ledger rows, 0 open holds"), "\(check.stdout) \(check.stderr)")
            try await Self.dropDatabase(url)
        }
    }
}
