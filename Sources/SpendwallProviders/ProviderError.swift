/// A request body that Spendwall cannot price, with a stable code and a message naming the field.
///
/// The message never quotes the body: it names fields and expected types only, so it is safe to
/// log and to return to the client.
public struct ProviderError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable, machine-readable error code.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case invalidJSON = "invalid_json"
            case invalidRequest = "invalid_request"
        }

        private let base: Base

        private init(_ base: Base) { self.base = base }

        /// The body is not a JSON object (empty, malformed, too deeply nested, or another value).
        public static let invalidJSON = Code(.invalidJSON)
        /// The body is JSON, but a field budgeting needs is missing, of the wrong type or out of range.
        public static let invalidRequest = Code(.invalidRequest)

        /// The code as sent in error bodies: `invalid_json` or `invalid_request`.
        public var rawValue: String { base.rawValue }
        /// The same as ``rawValue``.
        public var description: String { base.rawValue }
    }

    /// What went wrong, as a stable code.
    public var code: Code
    /// A human-readable explanation naming the offending field, without body contents.
    public var message: String
    /// The JSON path of the offending field (e.g. `generationConfig.maxOutputTokens`), if any.
    public var field: String?

    /// Creates an error.
    public init(code: Code, message: String, field: String? = nil) {
        self.code = code
        self.message = message
        self.field = field
    }

    /// `code: message`; safe to log (no body contents).
    public var description: String { "\(code.rawValue): \(message)" }

    static func invalidJSON(_ message: String) -> ProviderError {
        ProviderError(code: .invalidJSON, message: message)
    }

    static func invalidRequest(_ message: String, field: String) -> ProviderError {
        ProviderError(code: .invalidRequest, message: message, field: field)
    }
}
