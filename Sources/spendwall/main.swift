import ArgumentParser
import Foundation
import NIOCore
import NIOPosix
import SpendwallCLI
import SpendwallServer

// One event loop per CPU this process may run on (NIO counts the machine's CPUs, so a gateway
// pinned with `taskset` would otherwise run several loops on one CPU and context-switch
// between them on every request).
if let allowed = CPUAffinity.allowedCPUCount() {
    NIOSingletons.groupLoopCountSuggestion = allowed
}
// Run Swift concurrency on NIO's event loops: a request then no longer hops between the
// cooperative pool and the event-loop threads (each hop was a context switch and a wake-up).
// Must happen on the main thread before any task runs.
if !EventLoopGlobalExecutor.install() {
    _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
}
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

/// The CPUs the scheduler lets this process use (`taskset`, cpusets), from `/proc/self/status`.
enum CPUAffinity {
    static func allowedCPUCount() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("Cpus_allowed:") {
            let mask = line.dropFirst("Cpus_allowed:".count).filter { $0.isHexDigit }
            let count = mask.reduce(0) { $0 + (Int(String($1), radix: 16) ?? 0).nonzeroBitCount }
            return count > 0 ? min(count, System.coreCount) : nil
        }
        return nil
    }
}
