import Foundation
import Hummingbird
import NIOCore
import SpendwallCore
import SpendwallEngine
import SpendwallStorage

/// `POST /v1/outcomes`: an app says how a request's result was judged — `accepted`, `rejected` or
/// `reworked` — by request id (`x-spendwall-request-id` of the answer) or by the trace id it sent
/// as `x-spendwall-trace-id` (every request of the trace). Authenticated with the virtual key;
/// a verdict is kept under the key's tenant and counts only with that tenant's ledger rows. Reports show cost per accepted outcome and the
/// number and cost of rework loops.
enum OutcomeRoutes {
    static func add(to router: Router<BasicRequestContext>, gateway: Gateway, handler: ProxyHandler) {
        router.post("/v1/outcomes") { request, _ -> Response in
            await RemoteHolds.respond { () throws(GatewayError) in
                let key = try handler.authenticate(request, provider: .openai, directory: gateway.controlPlane.directory)
                let body = try RemoteHolds.object(try await handler.collectBody(request))
                guard let verdictText = body["outcome"] as? String, let verdict = OutcomeRecord.Verdict(rawValue: verdictText) else {
                    throw GatewayError.invalidRequest("outcome must be accepted, rejected or reworked")
                }
                let store = gateway.controlPlane.store
                var requestIDs: [String] = []
                do {
                    if let requestID = body["request_id"] as? String, !requestID.isEmpty, requestID.utf8.count <= 200 {
                        // Kept under the key's tenant: it counts only with that tenant's ledger row.
                        requestIDs = [requestID]
                    } else if let traceID = body["trace_id"] as? String, !traceID.isEmpty {
                        requestIDs = try await store.requestIDs(traceID: traceID, tenantID: key.tenantID)
                        guard !requestIDs.isEmpty else {
                            throw GatewayError(.notFound, "trace_not_found", "No request of this key's tenant was sent with x-spendwall-trace-id '\(traceID)'.")
                        }
                    } else {
                        throw GatewayError.invalidRequest("give request_id, or trace_id")
                    }
                    let now = gateway.enforcer.clock.nowMillis()
                    for requestID in requestIDs {
                        try await store.insertOutcome(OutcomeRecord(tenantID: key.tenantID, requestID: requestID, verdict: verdict, keyID: key.id, at: now))
                    }
                } catch let error as GatewayError {
                    throw error
                } catch {
                    throw GatewayError(.serviceUnavailable, "storage_unavailable", "The outcome could not be recorded: \(error)")
                }
                return try RemoteHolds.json(["outcome": verdict.rawValue, "requests": requestIDs], status: .created)
            }
        }
    }
}
