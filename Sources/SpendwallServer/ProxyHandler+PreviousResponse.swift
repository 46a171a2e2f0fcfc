import HTTPTypes
import SpendwallCore
import SpendwallEngine
import SpendwallStorage

// The Responses API's `previous_response_id`: a conversation kept by the provider. Every tenant
// reaches the provider with the operator's key, so the provider would serve any tenant's stored
// response to anyone who names it; the gateway is what keeps tenants apart.
extension ProxyHandler {
    /// Pauses before looking again for a response the ledger does not have yet: a streamed
    /// response's row lands just after its last event reached the client, and on another replica.
    static let previousResponseRetries: [Duration] = [.milliseconds(50), .milliseconds(150), .milliseconds(300)]

    /// The input tokens the conversation that `responseID` ends adds to this request: its own
    /// input and output, as the ledger recorded them. Only the caller's tenant's ledger is read,
    /// so a response of another tenant is refused exactly like one that does not exist.
    func priorContextTokens(of responseID: String, key: KeyRecord) async throws(GatewayError) -> Int64 {
        let store = gateway.controlPlane.store
        var pauses = Self.previousResponseRetries.makeIterator()
        while true {
            let entry: LedgerEntry?
            do {
                entry = try await store.ledgerEntry(upstreamID: responseID, tenantID: key.tenantID)
            } catch {
                var unavailable = GatewayError(.serviceUnavailable, "storage_unavailable", "The gateway could not read its ledger to check previous_response_id; nothing was sent upstream.")
                unavailable.headers = [(.retryAfter, "1")]
                throw unavailable
            }
            if let entry { return entry.usage.totalInput.saturatingAdding(entry.usage.totalOutput) }
            guard let pause = pauses.next() else { break }
            try? await Task.sleep(for: pause)
        }
        throw GatewayError(
            .notFound, "invalid_request_error", "Previous response with id '\(responseID)' not found.",
            extra: ["code": "previous_response_not_found", "param": "previous_response_id"]
        )
    }
}
