import SpendwallCore

/// Error bodies in each provider's own shape.
enum ProviderErrorBody {
    /// The JSON error body `provider` sends with `status`.
    static func json(_ provider: ProviderKind, status: Int, message: String) -> String {
        let message = JSONText.quoted("[simulated] " + message)
        switch provider {
        case .openai:
            let (type, code) = openAIType(status)
            return #"{"error":{"message":\#(message),"type":"\#(type)","param":null,"code":\#(code.map { "\"\($0)\"" } ?? "null")}}"#
        case .anthropic:
            return #"{"type":"error","error":{"type":"\#(anthropicType(status))","message":\#(message)}}"#
        case .gemini:
            return #"{"error":{"code":\#(status),"message":\#(message),"status":"\#(googleStatus(status))"}}"#
        }
    }

    private static func openAIType(_ status: Int) -> (type: String, code: String?) {
        switch status {
        case 401: ("invalid_request_error", "invalid_api_key")
        case 403: ("invalid_request_error", "unsupported_country_region_territory")
        case 404: ("invalid_request_error", "model_not_found")
        case 429: ("rate_limit_exceeded", "rate_limit_exceeded")
        case 400..<500: ("invalid_request_error", nil)
        default: ("server_error", nil)
        }
    }

    private static func anthropicType(_ status: Int) -> String {
        switch status {
        case 401: "authentication_error"
        case 403: "permission_error"
        case 404: "not_found_error"
        case 413: "request_too_large"
        case 429: "rate_limit_error"
        case 529: "overloaded_error"
        case 400..<500: "invalid_request_error"
        default: "api_error"
        }
    }

    private static func googleStatus(_ status: Int) -> String {
        switch status {
        case 401: "UNAUTHENTICATED"
        case 403: "PERMISSION_DENIED"
        case 404: "NOT_FOUND"
        case 409: "ABORTED"
        case 429: "RESOURCE_EXHAUSTED"
        case 499: "CANCELLED"
        case 503: "UNAVAILABLE"
        case 504: "DEADLINE_EXCEEDED"
        case 400..<500: "INVALID_ARGUMENT"
        default: "INTERNAL"
        }
    }
}
