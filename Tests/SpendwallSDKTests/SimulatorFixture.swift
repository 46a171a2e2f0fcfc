import Hummingbird
import Logging
import ServiceLifecycle
import SpendwallSimulator
import Synchronization

/// The built-in simulated provider on a loopback port, for the duration of `body`.
func withSimulator<T>(_ body: (SimulatedProvider, String) async throws -> T) async throws -> T {
    let simulator = SimulatedProvider()
    let port = Mutex<Int?>(nil)
    var logger = Logger(label: "simulator")
    logger.logLevel = .error
    let application = simulator.makeApplication(port: 0, logger: logger) { bound in port.withLock { $0 = bound } }
    let group = ServiceGroup(services: [application], gracefulShutdownSignals: [], cancellationSignals: [], logger: logger)
    let running = Task { try await group.run() }
    defer { running.cancel() }
    for _ in 0..<500 where port.withLock({ $0 }) == nil { try await Task.sleep(for: .milliseconds(10)) }
    guard let bound = port.withLock({ $0 }) else { throw SimulatorDidNotStart() }
    let result = try await body(simulator, "http://127.0.0.1:\(bound)")
    await group.triggerGracefulShutdown()
    return result
}

struct SimulatorDidNotStart: Error {}
