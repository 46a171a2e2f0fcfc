import ArgumentParser
import Logging
import SpendwallEngine
import SpendwallPostgres
import SpendwallSQLite

/// `spendwall migrate`: brings a database's schema up to date (`serve` does it too at start).
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate", abstract: "Create or upgrade the database schema.",
        discussion: """
            A PostgreSQL URL or a SQLite file: --database, else the config's database, else \
            $SPENDWALL_DATABASE_URL, else the SQLite file in $SPENDWALL_HOME. Safe to run while \
            gateways run, and from several places at once.

            Example: spendwall migrate --database postgres://spendwall@db.internal:5432/spendwall
            """
    )
    @Option(help: "A postgres:// URL or a SQLite file.") var database: String?
    @Option(help: "YAML configuration file.") var config: String?
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        try await CLIError.reporting {
            let configuration = try ConfigurationLoader.load(path: config)
            let location = DatabaseLocation.resolve(database ?? configuration.database, home: SpendwallHome())
            let applied: [String]
            switch location {
            case .sqlite(let path):
                // Opening the file applies the migrations.
                let store = try SQLiteStore(path: path)
                try store.close()
                applied = []
            case .postgres(let url):
                applied = try await PostgresStore.withRunning(url: url, label: "spendwall.migrate") { try await $0.migrate() }
            }
            if json {
                Output.printJSON(["database": location.description, "applied": applied])
            } else {
                print("\(location.description): schema up to date\(applied.isEmpty ? "" : " (applied \(applied.joined(separator: ", ")))")")
            }
        }
    }
}
