import HTTPTypes
import Foundation
import Hummingbird
import SpendwallCore

/// Finds the virtual key a client sent, in the header its API dialect uses.
///
/// OpenAI clients send `Authorization: Bearer`; Anthropic clients `x-api-key` (or Bearer, as the
/// Anthropic SDK does with an auth token); Gemini clients `x-goog-api-key` (or `?key=`). A key
/// found only in another dialect's header is refused with a message naming the right header.
enum ClientCredential {
    static func extract(from request: Request, provider: ProviderKind) throws(GatewayError) -> String {
        let bearer = request.headers[.authorization].flatMap(Self.bearerToken)
        let xAPIKey = request.headers[.xAPIKey]
        let googKey = request.headers[.xGoogAPIKey]
        let queryKey = provider == .gemini ? request.uri.queryParameters["key"].map(String.init) : nil
        let found: String?
        let expected: String
        switch provider {
        case .openai:
            found = bearer
            expected = "the 'Authorization: Bearer <key>' header"
        case .anthropic:
            found = xAPIKey ?? bearer
            expected = "the 'x-api-key' header (or 'Authorization: Bearer')"
        case .gemini:
            found = googKey ?? queryKey
            expected = "the 'x-goog-api-key' header"
        }
        if let found, !found.isEmpty { return found }
        let elsewhere: String? = if bearer != nil { "Authorization" } else if xAPIKey != nil { "x-api-key" } else if googKey != nil { "x-goog-api-key" } else { nil }
        if let elsewhere {
            throw GatewayError(.unauthorized, "invalid_api_key", "This is a \(provider.displayName)-compatible endpoint: send your Spendwall key in \(expected), not in '\(elsewhere)'.")
        }
        throw GatewayError(.unauthorized, "invalid_api_key", "No API key: send your Spendwall key (sw-…) in \(expected).")
    }

    /// The token of an `Authorization: Bearer <token>` value (scheme case-insensitive, spaces
    /// and tabs around the token dropped), or nil for any other scheme.
    static func bearerToken(_ value: String) -> String? {
        let utf8 = value.utf8
        let scheme = "bearer ".utf8
        guard utf8.count > scheme.count,
              zip(utf8, scheme).allSatisfy({ byte, expected in expected == 0x20 ? byte == 0x20 : byte | 0x20 == expected })
        else { return nil }
        let isBlank = { (byte: UInt8) in byte == 0x20 || byte == 0x09 }
        let token = utf8.dropFirst(scheme.count).drop(while: isBlank)
        var end = token.endIndex
        while end > token.startIndex, isBlank(utf8[utf8.index(before: end)]) { end = utf8.index(before: end) }
        return String(value[token.startIndex..<end])
    }
}

extension ProviderKind {
    /// `OpenAI`, `Anthropic`, `Gemini`.
    var displayName: String {
        switch self {
        case .openai: "OpenAI"
        case .anthropic: "Anthropic"
        case .gemini: "Gemini"
        }
    }
}
