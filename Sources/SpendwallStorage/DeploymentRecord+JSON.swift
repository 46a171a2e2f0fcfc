import Foundation

extension DeploymentRecord {
    /// The JSON a store keeps for the record.
    public func jsonText() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// Reads a record a store kept with ``jsonText()``.
    public init(jsonText: String) throws {
        do {
            self = try JSONDecoder().decode(DeploymentRecord.self, from: Data(jsonText.utf8))
        } catch {
            throw StoreError(.io, "a stored deployment could not be read: \(error)")
        }
    }
}
