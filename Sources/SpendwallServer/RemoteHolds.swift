import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SpendwallCore
import SpendwallEngine
import SpendwallProviders
import SpendwallStorage
import Synchronization

/// The gateway side of the Swift SDK's remote mode (`/v1/spendwall/…`): apps that call providers
/// themselves hold and settle against the key's budgets here, so that many processes share them.
/// Authenticated with the virtual key like any data-plane call; refusals in OpenAI's shape.
final class RemoteHolds: Sendable {
    struct Open: Sendable {
        var reservation: Reservation
        var keyID: String
        var placedAt: ContinuousClock.Instant
    }

    let open = Mutex<[String: Open]>([:])

    static func addRoutes(to router: Router<BasicRequestContext>, gateway: Gateway, handler: ProxyHandler) {
        let holds = gateway.remoteHolds
        router.post("/v1/spendwall/holds") { request, _ -> Response in
            await respond { () throws(GatewayError) in
                let key = try handler.authenticate(request, provider: .openai, directory: gateway.controlPlane.directory)
                let body = try Self.object(try await handler.collectBody(request))
                guard let model = body["model"] as? String, !model.isEmpty,
                      let amount = (body["amount_nanodollars"] as? NSNumber)?.int64Value, amount >= 0 else {
                    throw GatewayError.invalidRequest("give model and amount_nanodollars (a non-negative integer)")
                }
                let provider = (body["provider"] as? String).flatMap(ProviderKind.init(rawValue:)) ?? .openai
                let endpoint = (body["endpoint"] as? String) ?? "sdk"
                let price = gateway.catalog.current.resolve(model: model, provider: provider)
                    ?? ModelPrice(name: model, provider: provider, mode: .chat, rates: TokenRates(input: 0, output: 0))
                let budgets = gateway.controlPlane.directory.budgets(for: key, tags: key.tags)
                let id = RequestID.make()
                let reservation: Reservation
                do throws(EnforcementError) {
                    reservation = try await gateway.enforcer.reserve(ReservationRequest(
                        requestID: id, key: key, tags: key.tags, model: price, endpoint: "sdk:" + endpoint, amount: Money(nanodollars: amount),
                        budgets: budgets
                    ))
                } catch {
                    var refusal = ProxyHandler.gatewayError(for: error)
                    refusal.extra.merge(Self.standing(budgets, gateway: gateway).mapValues { String($0) }) { $1 }
                    throw refusal
                }
                holds.insert(id, Open(reservation: reservation, keyID: key.id, placedAt: .now), lifetime: gateway.configuration.holdLifetime)
                return try Self.json(["hold_id": id, "amount_nanodollars": amount].merging(Self.standing(budgets, gateway: gateway)) { $1 }, status: .created)
            }
        }
        router.post("/v1/spendwall/holds/:id/settle") { request, context -> Response in
            await respond { () throws(GatewayError) in
                let key = try handler.authenticate(request, provider: .openai, directory: gateway.controlPlane.directory)
                let id = context.parameters.get("id") ?? ""
                let body = try Self.object(try await handler.collectBody(request))
                guard let held = holds.take(id, keyID: key.id) else {
                    throw GatewayError(.notFound, "hold_not_found", "No open hold '\(id)' of this key: it was settled already, expired, or is not yours.")
                }
                let usage = body["usage"] as? [String: Any] ?? [:]
                func count(_ name: String) -> Int64 { (usage[name] as? NSNumber)?.int64Value ?? 0 }
                var settlement = Settlement(
                    usage: TokenUsage(
                        input: count("input"), cachedInput: count("cached_input"), cacheWrite: count("cache_write"),
                        extendedCacheWrite: count("extended_cache_write"), output: count("output"), reasoning: count("reasoning"),
                        audioInput: count("audio_input"), audioOutput: count("audio_output")
                    ),
                    status: .settled
                )
                guard settlement.usage.isValid else { throw GatewayError.invalidRequest("usage counts must be non-negative") }
                if let charge = (body["charge_nanodollars"] as? NSNumber)?.int64Value { settlement.charge = Money(nanodollars: charge) }
                guard let entry = await gateway.enforcer.settle(held.reservation, settlement) else {
                    throw GatewayError(.conflict, "hold_expired", "Hold '\(id)' expired before it was settled and was charged in full.")
                }
                let budgets = gateway.controlPlane.directory.budgets(for: key, tags: key.tags)
                return try Self.json(["charged_nanodollars": entry.cost.nanodollars].merging(Self.standing(budgets, gateway: gateway)) { $1 })
            }
        }
        router.get("/v1/spendwall/budget") { request, _ -> Response in
            await respond { () throws(GatewayError) in
                let key = try handler.authenticate(request, provider: .openai, directory: gateway.controlPlane.directory)
                return try Self.json(Self.standing(gateway.controlPlane.directory.budgets(for: key, tags: key.tags), gateway: gateway))
            }
        }
    }

    func insert(_ id: String, _ hold: Open, lifetime: Duration) {
        open.withLock { open in
            // Holds never settled are charged by the hold reaper; forget them here too.
            open = open.filter { ContinuousClock.now - $0.value.placedAt < lifetime }
            open[id] = hold
        }
    }

    func take(_ id: String, keyID: String) -> Open? {
        open.withLock { open in
            guard let hold = open[id], hold.keyID == keyID else { return nil }
            return open.removeValue(forKey: id)
        }
    }

    /// The tightest budget in scope: the least available.
    static func standing(_ budgets: [BudgetRecord], gateway: Gateway) -> [String: Int64] {
        let accounts = budgets.compactMap { gateway.enforcer.account(budgetID: $0.id) }
        guard let tightest = accounts.min(by: { $0.available < $1.available }) else { return [:] }
        return ["limit_nanodollars": tightest.limit.nanodollars, "spent_nanodollars": tightest.spent.nanodollars, "held_nanodollars": tightest.held.nanodollars]
    }

    static func object(_ body: ByteBuffer) throws(GatewayError) -> [String: Any] {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] else {
            throw GatewayError.invalidRequest("the body must be a JSON object")
        }
        return object
    }

    static func json(_ object: [String: Any], status: HTTPResponse.Status = .ok) throws(GatewayError) -> Response {
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else {
            throw GatewayError.invalidRequest("could not encode the answer")
        }
        return Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func respond(_ body: () async throws(GatewayError) -> Response) async -> Response {
        do {
            return try await body()
        } catch {
            return error.response(for: .openai, requestID: nil)
        }
    }
}
