/// A configuration or admin input that cannot be used, with a stable code.
public struct ConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        case invalidTimeZone = "invalid_time_zone"
        case invalidValue = "invalid_value"
        case notFound = "not_found"
        case conflict = "conflict"
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
