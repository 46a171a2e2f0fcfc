import ServiceLifecycle

/// The loop of a service that works at a fixed pace: `work`, then a pause, until the task is
/// cancelled or a graceful shutdown begins (which also cuts the pause short).
public enum PeriodicWork {
    public static func run(every interval: Duration, _ work: () async -> Void) async {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            await work()
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return
            }
        }
    }
}
