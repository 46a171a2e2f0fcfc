import ArgumentParser
import Foundation
import Logging
import NIOHTTP1
import SpendwallEngine
import SpendwallPostgres
import SpendwallSQLite
import SpendwallStorage

/// `spendwall check-ledger`: checks the ledger's invariants in a database.
struct CheckLedgerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-ledger", abstract: "Check that every cent is accounted for.",
        discussion: """
            Checks, from one snapshot of the database: each budget window's spend equals the sum of \
            its ledger rows; its holds equal the sum of its open holds (PostgreSQL keeps them); \
            spend plus holds is within the limit of every enforced budget; no hold is settled twice, \
            and none is both settled and open. Exits 0 when all hold, 1 when one does not.

            The database: --database, else the config's, else $SPENDWALL_DATABASE_URL, else the \
            SQLite file in $SPENDWALL_HOME. A SQLite file in use by a running gateway is checked \
            through that gateway's admin API. Safe while gateways serve.

            Example: spendwall check-ledger --database postgres://spendwall@db.internal/spendwall
            """
    )
    @Option(help: "A postgres:// URL or a SQLite file.") var database: String?
    @Option(help: "YAML configuration file.") var config: String?
    @OptionGroup var admin: AdminOptions

    func run() async throws {
        try await CLIError.reporting {
            let configuration = try ConfigurationLoader.load(path: config)
            let location = DatabaseLocation.resolve(database ?? configuration.database, home: SpendwallHome())
            let check: LedgerCheck
            switch location {
            case .sqlite(let path):
                do {
                    let store = try SQLiteStore(path: path)
                    defer { try? store.close() }
                    check = try await Self.check(store)
                } catch let error as StoreError where error.code == .locked {
                    let answer = try await AdminClient.make(options: admin).sendRaw(.GET, "/check-ledger", body: Data())
                    let decoder = JSONDecoder()
                    decoder.keyDecodingStrategy = .convertFromSnakeCase
                    check = try decoder.decode(LedgerCheck.self, from: answer)
                }
            case .postgres(let url):
                check = try await PostgresStore.withRunning(url: url, label: "spendwall.check-ledger") { try await Self.check($0) }
            }
            if admin.json {
                let encoder = JSONEncoder()
                encoder.keyEncodingStrategy = .convertToSnakeCase
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: try encoder.encode(check), as: UTF8.self))
            } else {
                print("\(location.description): \(check.ledgerRows) ledger rows, \(check.openHolds) open holds, \(check.windowsChecked) budget windows")
                for violation in check.violations { print("  \(violation)") }
                print(check.passed ? "ledger OK" : "ledger BROKEN: \(check.violations.count) violation(s)")
            }
            if !check.passed { throw ArgumentParser.ExitCode(CLIError.ExitCode.failure.rawValue) }
        }
    }

    static func check(_ store: any SpendStore) async throws -> LedgerCheck {
        LedgerCheck(facts: try await store.ledgerFacts(), budgets: try await store.budgets(tenantID: nil))
    }
}
