import HTTPTypes
import Hummingbird
import NIOCore
import SpendwallCore
import SpendwallEngine
import SpendwallProviders
import SpendwallStorage

/// A refusal or failure the gateway answers itself, in the caller's API dialect.
struct GatewayError: Error, Sendable {
    var status: HTTPResponse.Status
    /// Stable machine-readable type, e.g. `budget_exceeded`.
    var type: String
    var message: String
    var extra: [String: String] = [:]
    var headers: [(HTTPField.Name, String)] = []

    init(_ status: HTTPResponse.Status, _ type: String, _ message: String, extra: [String: String] = [:]) {
        self.status = status
        self.type = type
        self.message = message
        self.extra = extra
    }

    /// The response in `provider`'s error shape.
    func response(for provider: ProviderKind, requestID: String?) -> Response {
        let body = ErrorBody.make(provider: provider, status: Int(status.code), type: type, message: message, extra: extra)
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        if let requestID { fields[.spendwallRequestID] = requestID }
        for (name, value) in headers { fields[name] = value }
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: body))
    }

    /// A request (or stream) of a scope the kill switch blocks.
    static func blocked(by block: BlockRecord) -> GatewayError {
        GatewayError(
            .forbidden, "key_blocked",
            "Requests of \(block.scope.kind.rawValue) '\(block.scope.id)' are blocked by the kill switch: \(block.reason)",
            extra: ["blocked_scope": block.scope.description, "blocked_at": ISOTime.format(millis: block.blockedAt), "reason": block.reason]
        )
    }

    static func invalidRequest(_ message: String, type: String = "invalid_request_error") -> GatewayError {
        GatewayError(.badRequest, type, message)
    }
}

extension HTTPField.Name {
    static let spendwallRequestID = HTTPField.Name("x-spendwall-request-id")!
    static let shouldRetry = HTTPField.Name("x-should-retry")!
    static let xAPIKey = HTTPField.Name("x-api-key")!
    static let xGoogAPIKey = HTTPField.Name("x-goog-api-key")!
    static let spendwallFeature = HTTPField.Name("x-spendwall-feature")!
    static let spendwallEndUser = HTTPField.Name("x-spendwall-end-user")!
    static let spendwallTraceID = HTTPField.Name("x-spendwall-trace-id")!
    static let anthropicVersion = HTTPField.Name("anthropic-version")!
}
