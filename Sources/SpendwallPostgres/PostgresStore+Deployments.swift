import PostgresNIO
import SpendwallCore
import SpendwallStorage

extension PostgresStore {
    /// Inserts or replaces a deployment by id.
    public func upsertDeployment(_ deployment: DeploymentRecord) async throws {
        let body = try deployment.jsonText()
        try await execute("""
            INSERT INTO deployments (id, tenant_id, created_at, body) VALUES (\(deployment.id), \(deployment.tenantID), \(deployment.createdAt), \(body))
            ON CONFLICT (id) DO UPDATE SET tenant_id = excluded.tenant_id, body = excluded.body
            """, "save deployment '\(deployment.id)'", duplicate: "deployment '\(deployment.id)' exists")
    }

    /// Deployments of one tenant (or all), oldest first.
    public func deployments(tenantID: String?) async throws -> [DeploymentRecord] {
        try await rows(
            "SELECT body FROM deployments WHERE \(tenantID)::TEXT IS NULL OR tenant_id = \(tenantID) ORDER BY created_at, id",
            "list deployments"
        ).map { row in try DeploymentRecord(jsonText: try row.value("body")) }
    }
}
