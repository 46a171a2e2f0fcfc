import Foundation
import SpendwallEngine
import Yams

/// Reads the optional YAML configuration file.
enum ConfigurationLoader {
    static func load(path: String?) throws -> GatewayConfiguration {
        guard let path else { return GatewayConfiguration() }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw CLIError("cannot read the configuration file \(path)", exitCode: .configuration)
        }
        let configuration: GatewayConfiguration
        do {
            configuration = try YAMLDecoder().decode(GatewayConfiguration.self, from: text)
        } catch {
            throw CLIError("\(path): \(Self.describe(error))", exitCode: .configuration)
        }
        do {
            try configuration.validate()
        } catch {
            throw CLIError("\(path): \(error.message)", exitCode: .configuration)
        }
        return configuration
    }

    static func describe(_ error: any Error) -> String {
        if let decoding = error as? DecodingError {
            switch decoding {
            case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
                let path = context.codingPath.map(\.stringValue).joined(separator: ".")
                return "\(path.isEmpty ? "" : path + ": ")\(context.debugDescription)"
            case .keyNotFound(let key, let context):
                let path = (context.codingPath + [key]).map(\.stringValue).joined(separator: ".")
                return "\(path): required key is missing"
            @unknown default:
                return "\(error)"
            }
        }
        return "\(error)"
    }
}
