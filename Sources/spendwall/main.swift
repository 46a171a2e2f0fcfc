import ArgumentParser
import NIOCore
import NIOPosix
import SpendwallCLI

// Run Swift concurrency on NIO's event loops: a request then no longer hops between the
// cooperative pool and the event-loop threads (each hop was a context switch and a wake-up).
// Must happen on the main thread before any task runs.
_ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
await launch()

/// Top-level code ranks ArgumentParser's synchronous `main()` first; inside an async function
/// the asynchronous entry point is chosen.
func launch() async {
    await Spendwall.main()
}

/// The `spendwall` executable: everything lives in `SpendwallCLI`.
struct Spendwall: AsyncParsableCommand {
    static let configuration = SpendwallCommand.configuration
}
