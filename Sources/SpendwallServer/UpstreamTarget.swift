import Foundation
import HTTPTypes
import NIOHTTP1
import SpendwallCore
import SpendwallEngine

/// Where one provider's requests go and the credential the gateway adds. The provider key is
/// read once from the environment; it is sent only to this provider and never logged.
struct UpstreamTarget: Sendable {
    /// The upstream's name in the configuration (`openai`, or a named one such as `azure-east`).
    var name: String
    var provider: ProviderKind
    /// Base URL without a trailing slash, e.g. `https://api.openai.com`.
    var baseURL: String
    /// The parsed base URL; nil when it is not an `http(s)` URL.
    var origin: UpstreamOrigin?
    /// The provider credential, if configured.
    var apiKey: String?
    /// The environment variable the key should come from, for error messages.
    var apiKeyEnv: String?
    /// Simulator upstreams: the fault every call carries.
    var fault: String?

    init(name: String, provider: ProviderKind, baseURL: String, apiKey: String?, apiKeyEnv: String?, fault: String? = nil) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.name = name
        self.fault = fault
        self.provider = provider
        self.baseURL = base
        self.origin = UpstreamOrigin(baseURL: base)
        self.apiKey = apiKey
        self.apiKeyEnv = apiKeyEnv
    }

    /// Adds the provider's credential in the provider's own header.
    func authorize(_ headers: inout HTTPHeaders) {
        guard let apiKey else { return }
        switch provider {
        case .openai: headers.replaceOrAdd(name: "authorization", value: "Bearer \(apiKey)")
        case .anthropic: headers.replaceOrAdd(name: "x-api-key", value: apiKey)
        case .gemini: headers.replaceOrAdd(name: "x-goog-api-key", value: apiKey)
        }
    }
}

/// Request headers never forwarded upstream: hop-by-hop headers, every credential header (the
/// gateway adds the provider's own), Spendwall's attribution headers, and `accept-encoding`
/// (usage is read from the response, so it must arrive uncompressed).
enum ForwardedHeaders {
    static let dropped: Set<String> = [
        "host", "authorization", "x-api-key", "x-goog-api-key", "content-length", "connection", "keep-alive",
        "transfer-encoding", "te", "trailer", "upgrade", "proxy-authorization", "proxy-connection",
        "accept-encoding", "cookie",
    ]

    static func upstream(from fields: HTTPFields, target: UpstreamTarget) -> HTTPHeaders {
        var headers = HTTPHeaders()
        for field in fields {
            let name = field.name.canonicalName
            if dropped.contains(name) || name.hasPrefix("x-spendwall-") { continue }
            headers.add(name: name, value: field.value)
        }
        headers.replaceOrAdd(name: "accept-encoding", value: "identity")
        if !headers.contains(name: "content-type") { headers.add(name: "content-type", value: "application/json") }
        if target.provider == .anthropic && !headers.contains(name: "anthropic-version") {
            headers.add(name: "anthropic-version", value: "2023-06-01")
        }
        target.authorize(&headers)
        if let fault = target.fault { headers.replaceOrAdd(name: "x-simulator-fault", value: fault) }
        return headers
    }

    static let droppedResponse: Set<String> = [
        "connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding", "trailer", "upgrade",
        "set-cookie",
    ]

    /// Upstream response headers passed back to the client.
    static func downstream(from headers: HTTPHeaders, requestID: String) -> HTTPFields {
        var fields = HTTPFields()
        for (name, value) in headers {
            let lowered = name.lowercased()
            if droppedResponse.contains(lowered) { continue }
            if let fieldName = HTTPField.Name(lowered) { fields.append(HTTPField(name: fieldName, value: value)) }
        }
        fields[.spendwallRequestID] = requestID
        return fields
    }
}
