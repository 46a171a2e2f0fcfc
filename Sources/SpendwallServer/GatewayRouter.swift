import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SpendwallCore
import SpendwallEngine
import SpendwallProviders

/// The data plane's routes: the provider-compatible endpoints, `/v1/models` and `/health`.
public enum GatewayRouter {
    public static func make(gateway: Gateway) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        let handler = ProxyHandler(gateway: gateway)
        let paths = ["/v1/chat/completions", "/v1/responses", "/v1/embeddings", "/v1/messages", "/v1/messages/count_tokens"]
        for path in paths {
            router.post(RouterPath(path)) { request, _ -> Response in
                guard let route = EndpointRoute(path: path) else { return Self.notFound(request) }
                return await handler.handle(request, route: route)
            }
        }
        for version in ["v1beta", "v1"] {
            router.post(RouterPath("/\(version)/models/:action")) { request, _ -> Response in
                guard let route = EndpointRoute(path: request.uri.path) else { return Self.notFound(request) }
                return await handler.handle(request, route: route)
            }
        }
        RemoteHolds.addRoutes(to: router, gateway: gateway, handler: handler)
        OutcomeRoutes.add(to: router, gateway: gateway, handler: handler)
        router.get("/v1/models") { request, _ -> Response in
            Self.listModels(request, gateway: gateway)
        }
        router.get("/health") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: #"{"status":"ok"}"#)))
        }
        return router
    }

    static func notFound(_ request: Request) -> Response {
        GatewayError(.notFound, "not_found", "Spendwall does not serve \(request.uri.path).").response(for: .openai, requestID: nil)
    }

    /// OpenAI's model list, limited to the priced models this key may use.
    static func listModels(_ request: Request, gateway: Gateway) -> Response {
        let directory = gateway.controlPlane.directory
        guard let presented = try? ClientCredential.extract(from: request, provider: .openai),
              let key = VirtualKey(presented: presented),
              let record = directory.activeKey(secretHash: key.secretHash) else {
            return GatewayError(.unauthorized, "invalid_api_key", "Send a valid Spendwall key as 'Authorization: Bearer sw-…'.")
                .response(for: .openai, requestID: nil)
        }
        if let block = directory.block(for: record) { return GatewayError.blocked(by: block).response(for: .openai, requestID: nil) }
        let models = gateway.catalog.current.models(provider: .openai, modes: [.chat, .responses, .embedding, .completion])
            .map { PriceCatalog.publicName(of: $0) }
            .filter { !$0.hasPrefix("ft:") && record.allows(model: $0) }
        let data: [[String: Any]] = models.map { ["id": $0, "object": "model", "created": 0, "owned_by": "openai"] }
        let json = (try? JSONSerialization.data(withJSONObject: ["object": "list", "data": data])) ?? Data()
        return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: json)))
    }
}
