/// Why price data or an operator's price override was refused, with a stable code.
///
/// The message names the model and the field where one is at fault, e.g.
/// `invalid_price: gpt-4o: input_cost_per_token is negative (-2.5e-06)`.
public struct CatalogError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Stable machine-readable error codes.
    public enum Code: String, Sendable, Hashable {
        /// A price is negative, not a number, infinite, or not a decimal the parser accepts.
        case invalidPrice = "invalid_price"
        /// A per-token price so high it is almost surely quoted per 1K or per 1M tokens.
        case implausiblePrice = "implausible_price"
        /// A token limit (`max_input_tokens`, `max_output_tokens`) is not a whole, non-negative count.
        case invalidLimit = "invalid_limit"
        /// A provider or mode Spendwall does not bill.
        case unsupportedModel = "unsupported_model"
        /// A required field is missing or empty.
        case missingField = "missing_field"
        /// The file is not JSON, or not shaped like the format it claims to be.
        case malformedFile = "malformed_file"
        /// The bundled price data is missing from the executable's resources.
        case missingResource = "missing_resource"
    }

    /// The stable code.
    public var code: Code
    /// A message for humans; contains no secrets.
    public var message: String
    /// The model at fault, if any.
    public var model: String?
    /// The field at fault, if any, as it is spelled in the file.
    public var field: String?

    /// Creates an error.
    public init(_ code: Code, _ message: String, model: String? = nil, field: String? = nil) {
        self.code = code
        self.message = message
        self.model = model
        self.field = field
    }

    /// `code: message`.
    public var description: String { "\(code.rawValue): \(message)" }
}
