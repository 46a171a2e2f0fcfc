import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SpendwallCore
import Synchronization

/// Remote mode: holds and charges placed on a Spendwall gateway's budgets for a virtual key, so
/// that many processes share one budget. Fails closed: a gateway that cannot be reached refuses.
///
/// The gateway API (`/v1/spendwall/…`, authenticated with the key like any data-plane call):
/// `POST /holds` `{"model","provider","endpoint","amount_nanodollars"}` → 201 `{"hold_id", …}`
/// or 402 with the refusal; `POST /holds/{id}/settle` `{"usage":{…},"charge_nanodollars"?}` →
/// `{"charged_nanodollars", …}`; `GET /budget` → the tightest budget in the key's scope.
/// Every answer carries `spent_nanodollars`, `held_nanodollars` and `limit_nanodollars` of that
/// budget (absent when the key has no budget).
final class GatewayLedger: SpendLedger {
    let baseURL: String
    let key: String
    let http: HTTPClient
    /// How long a hold or settlement may take, connection attempts included (AsyncHTTPClient
    /// retries a refused connection until then).
    let timeout: TimeAmount
    let last = Mutex(BudgetStanding(limit: .zero, spent: .zero, held: .zero))

    init(baseURL: String, key: String, http: HTTPClient, timeout: TimeAmount) {
        self.timeout = timeout
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.key = key
        self.http = http
    }

    func reserve(_ amount: Money, model: ModelPrice, endpoint: String, force: Bool) async throws -> LedgerHold {
        // The gateway's budgets are enforced centrally: `force` cannot override them.
        let (status, object) = try await send(.POST, "/holds", [
            "model": model.name, "provider": model.provider.rawValue, "endpoint": endpoint, "amount_nanodollars": amount.nanodollars,
        ])
        if status == 402 {
            let standing = last.withLock { $0 }
            throw BudgetExceededError(spent: standing.spent, held: standing.held, limit: standing.limit, hold: amount, model: model.name)
        }
        guard status == 201, let id = object["hold_id"] as? String else {
            throw SpendwallError(.gatewayRefused, Self.message(object) ?? "the gateway answered \(status) to a hold", status: status)
        }
        return LedgerHold(id: id, amount: amount, model: model)
    }

    func settle(_ hold: LedgerHold, usage: TokenUsage, charge: Money?) async throws -> Money {
        var body: [String: Any] = ["usage": [
            "input": usage.input, "cached_input": usage.cachedInput, "cache_write": usage.cacheWrite,
            "extended_cache_write": usage.extendedCacheWrite, "output": usage.output, "reasoning": usage.reasoning,
            "audio_input": usage.audioInput, "audio_output": usage.audioOutput,
        ]]
        if let charge { body["charge_nanodollars"] = charge.nanodollars }
        let (status, object) = try await send(.POST, "/holds/\(hold.id)/settle", body)
        guard status == 200, let charged = (object["charged_nanodollars"] as? NSNumber)?.int64Value else {
            throw SpendwallError(.gatewayRefused, Self.message(object) ?? "the gateway answered \(status) to a settlement", status: status)
        }
        return Money(nanodollars: charged)
    }

    func standing() async throws -> BudgetStanding {
        let (status, object) = try await send(.GET, "/budget", nil)
        guard status == 200 else { throw SpendwallError(.gatewayRefused, Self.message(object) ?? "the gateway answered \(status)", status: status) }
        return last.withLock { $0 }
    }

    var lastStanding: BudgetStanding { last.withLock { $0 } }

    func send(_ method: HTTPMethod, _ path: String, _ body: [String: Any]?) async throws -> (Int, [String: Any]) {
        var request = HTTPClientRequest(url: baseURL + "/v1/spendwall" + path)
        request.method = method
        request.headers.add(name: "authorization", value: "Bearer \(key)")
        if let body {
            request.headers.add(name: "content-type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
        }
        let status: Int
        let data: Data
        do {
            let response = try await http.execute(request, timeout: timeout)
            status = Int(response.status.code)
            data = Data((try await response.body.collect(upTo: 1024 * 1024)).readableBytesView)
        } catch {
            throw SpendwallError(.gatewayUnavailable, "the Spendwall gateway at \(baseURL) could not be reached, so nothing was sent (fail closed): \(error)")
        }
        let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        if let limit = (object["limit_nanodollars"] as? NSNumber)?.int64Value {
            let spent = (object["spent_nanodollars"] as? NSNumber)?.int64Value ?? 0
            let held = (object["held_nanodollars"] as? NSNumber)?.int64Value ?? 0
            last.withLock { $0 = BudgetStanding(limit: Money(nanodollars: limit), spent: Money(nanodollars: spent), held: Money(nanodollars: held)) }
        }
        return (status, object)
    }

    static func message(_ object: [String: Any]) -> String? {
        (object["error"] as? [String: Any])?["message"] as? String
    }
}
