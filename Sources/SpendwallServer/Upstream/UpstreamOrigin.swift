import Foundation

/// Where a provider's base URL points: scheme, host, port and the path every request path is
/// appended to. Parsed once, when the gateway starts.
struct UpstreamOrigin: Sendable, Hashable, CustomStringConvertible {
    var usesTLS: Bool
    var host: String
    var port: Int
    /// The base URL's path without a trailing slash ("" or e.g. "/openai").
    var basePath: String

    /// Parses `http://host[:port][/path]` or `https://…`; nil for anything else.
    init?(baseURL: String) {
        guard let components = URLComponents(string: baseURL), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty,
              components.query == nil, components.fragment == nil
        else { return nil }
        usesTLS = scheme == "https"
        // An IPv6 literal keeps its brackets in `URLComponents.host` on some platforms.
        self.host = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        port = components.port ?? (usesTLS ? 443 : 80)
        var path = components.percentEncodedPath
        while path.hasSuffix("/") { path.removeLast() }
        basePath = path
    }

    /// The `host` header value.
    var hostHeader: String {
        let bracketed = host.contains(":") ? "[\(host)]" : host
        return port == (usesTLS ? 443 : 80) ? bracketed : "\(bracketed):\(port)"
    }

    var description: String { "\(usesTLS ? "https" : "http")://\(hostHeader)\(basePath)" }
}
