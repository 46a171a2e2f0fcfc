import ArgumentParser
import SpendwallCLI

/// The `spendwall` executable: everything lives in `SpendwallCLI`.
@main
struct Spendwall: AsyncParsableCommand {
    static let configuration = SpendwallCommand.configuration
}
