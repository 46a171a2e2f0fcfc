import Logging
import ServiceLifecycle
import SpendwallStorage

/// Follows the changes other replicas make to keys, budgets, blocks and policies through a
/// shared store, and applies each to this replica's control plane (within a second of its
/// commit). When following breaks (the database restarts, the network drops) it starts again
/// after `retryDelay` and resynchronizes everything, since changes made meanwhile were missed.
public struct ChangeFollower: Service {
    let store: any SharedBudgetStore
    let controlPlane: ControlPlane
    let retryDelay: Duration
    let logger: Logger

    public init(store: any SharedBudgetStore, controlPlane: ControlPlane, retryDelay: Duration = .seconds(1), logger: Logger) {
        self.store = store
        self.controlPlane = controlPlane
        self.retryDelay = retryDelay
        self.logger = logger
    }

    public func run() async throws {
        let controlPlane = self.controlPlane
        let logger = self.logger
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown {
                    try await store.followChanges { change in
                        do {
                            try await controlPlane.synchronize(change)
                        } catch {
                            logger.error("could not apply a change from another replica", metadata: ["change": "\(change)", "error": "\(error)"])
                        }
                    }
                }
            } catch {
                if Task.isCancelled || Task.isShuttingDownGracefully { return }
                logger.warning("lost the feed of changes from other replicas; reconnecting", metadata: ["error": "\(error)"])
            }
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: retryDelay) }
            } catch {
                return
            }
        }
    }
}
