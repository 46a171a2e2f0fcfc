import SpendwallCore
import Synchronization

extension InMemoryStore {
    /// Inserts or replaces a deployment by id.
    public func upsertDeployment(_ deployment: DeploymentRecord) async throws {
        state.withLock { $0.deployments[deployment.id] = deployment }
    }

    /// Deployments of one tenant (or all), oldest first.
    public func deployments(tenantID: String?) async throws -> [DeploymentRecord] {
        state.withLock { state in
            Self.ordered(state.deployments.values.filter { tenantID == nil || $0.tenantID == tenantID }, \.createdAt, \.id)
        }
    }
}
