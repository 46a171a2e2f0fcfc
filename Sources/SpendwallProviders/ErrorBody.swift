import Foundation
public import NIOCore
public import SpendwallCore

/// Error response bodies in each provider's dialect, so SDKs parse Spendwall's refusals as they
/// parse the provider's own errors.
///
/// ```swift
/// ErrorBody.make(provider: .anthropic, status: 402, type: "budget_exceeded", message: "Budget 'team' is spent.")
/// // {"error":{"message":"Budget 'team' is spent.","type":"budget_exceeded"},"type":"error"}
/// ```
public enum ErrorBody {
    /// Builds an error body.
    ///
    /// - OpenAI: `{"error":{"message","type","param","code"}}`: `param` and `code` from `extra`
    ///   when it has them (OpenAI's own errors name both), else null and `type`.
    /// - Anthropic: `{"type":"error","error":{"type","message"}}`.
    /// - Gemini: `{"error":{"code":status,"message","status":GOOGLE_STATUS,"details":[ErrorInfo]}}`,
    ///   with `type` as the `ErrorInfo` reason.
    ///
    /// - Parameter extra: string fields (budget name, limit…) added inside the error object; they
    ///   never replace the dialect's own fields (except OpenAI's `param` and `code`, above). For
    ///   Gemini they also go in the `ErrorInfo` metadata.
    public static func make(provider: ProviderKind, status: Int, type: String, message: String, extra: [String: String] = [:]) -> ByteBuffer {
        var error: [String: Any] = extra
        let root: [String: Any]
        switch provider {
        case .openai:
            error["message"] = message
            error["type"] = type
            error["param"] = extra["param"] ?? NSNull()
            error["code"] = extra["code"] ?? type
            root = ["error": error]
        case .anthropic:
            error["type"] = type
            error["message"] = message
            root = ["type": "error", "error": error]
        case .gemini:
            error["code"] = status
            error["message"] = message
            error["status"] = googleStatus(forHTTPStatus: status)
            error["details"] = [[
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": type,
                "domain": "spendwall",
                "metadata": extra,
            ] as [String: Any]]
            root = ["error": error]
        }
        let options: JSONSerialization.WritingOptions = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? JSONSerialization.data(withJSONObject: root, options: options)) ?? Data(#"{"error":{}}"#.utf8)
        var buffer = ByteBufferAllocator().buffer(capacity: data.count)
        buffer.writeBytes(data)
        return buffer
    }

    /// The `google.rpc.Code` name Google APIs pair with an HTTP status.
    public static func googleStatus(forHTTPStatus status: Int) -> String {
        switch status {
        case 400, 413: "INVALID_ARGUMENT"
        case 401: "UNAUTHENTICATED"
        case 402, 429: "RESOURCE_EXHAUSTED"
        case 403: "PERMISSION_DENIED"
        case 404: "NOT_FOUND"
        case 409: "ABORTED"
        case 412: "FAILED_PRECONDITION"
        case 499: "CANCELLED"
        case 501: "UNIMPLEMENTED"
        case 502, 503: "UNAVAILABLE"
        case 504: "DEADLINE_EXCEEDED"
        case 500...599: "INTERNAL"
        default: "UNKNOWN"
        }
    }
}
