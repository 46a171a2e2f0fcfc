import ServiceLifecycle
import SpendwallSQLite

/// Checkpoints the SQLite WAL every second in the background, so the fsync a checkpoint needs
/// never lands inside a request's commit.
struct CheckpointService: Service {
    let store: SQLiteStore
    var interval: Duration = .seconds(1)

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return
            }
            _ = try? await store.checkpoint()
        }
    }
}
