import ArgumentParser

/// `spendwall`: the AI financial firewall's command line.
@available(macOS 10.15, macCatalyst 13, iOS 13, tvOS 13, watchOS 6, *)
public struct SpendwallCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "spendwall",
        abstract: "Spendwall: enforce AI spend budgets in real time.",
        discussion: """
            Quick start (no API keys needed, the built-in simulated provider answers):
              spendwall demo
              spendwall serve --simulator
            """,
        subcommands: [
            ServeCommand.self, DemoCommand.self, TenantsCommand.self, TeamsCommand.self, UsersCommand.self,
            KeysCommand.self, AdminTokensCommand.self, BudgetsCommand.self, SpendCommand.self, LookupCommand.self, PricesCommand.self,
            MigrateCommand.self, CheckLedgerCommand.self, PoliciesCommand.self, AlertsCommand.self, KillCommand.self, UnblockCommand.self, BlocksCommand.self, AuditCommand.self, SimulatorCommand.self,
            DeployCommand.self, DeploymentsCommand.self, StatusCommand.self, MeasureCommand.self, ReportCommand.self, WatchCommand.self,
        ]
    )

    public init() {}
}
