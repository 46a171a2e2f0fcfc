import GRDB
import SpendwallCore
import SpendwallStorage

extension SQLiteStore {
    /// Inserts or replaces a deployment by id.
    public func upsertDeployment(_ deployment: DeploymentRecord) async throws {
        let body = try deployment.jsonText()
        try await write("save deployment '\(deployment.id)'", duplicate: "deployment '\(deployment.id)' exists") { db in
            try db.execute(sql: """
                INSERT INTO deployments (id, tenant_id, created_at, body) VALUES (?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET tenant_id = excluded.tenant_id, body = excluded.body
                """, arguments: [deployment.id, deployment.tenantID, deployment.createdAt, body])
        }
    }

    /// Deployments of one tenant (or all), oldest first.
    public func deployments(tenantID: String?) async throws -> [DeploymentRecord] {
        let bodies = try await read("list deployments") { db in
            try String.fetchAll(db, sql: "SELECT body FROM deployments \(Self.tenantFilter) ORDER BY created_at, id", arguments: [tenantID])
        }
        return try bodies.map(DeploymentRecord.init(jsonText:))
    }
}
