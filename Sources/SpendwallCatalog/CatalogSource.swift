/// Where a price catalog's data came from, as recorded in the bundled resource.
public struct CatalogSource: Sendable, Hashable, Codable {
    /// The data's origin, `litellm`.
    public var name: String
    /// The origin's release the data was taken from, e.g. `1.109.1`.
    public var version: String
    /// The file inside that release, e.g. `model_prices_and_context_window_backup.json`.
    public var file: String
    /// SHA-256 of that original file, lowercase hex.
    public var sha256: String
    /// The data's licence, e.g. `MIT, Copyright (c) 2023 Berri AI`.
    public var license: String

    /// Creates a source record.
    public init(name: String, version: String, file: String, sha256: String, license: String) {
        self.name = name
        self.version = version
        self.file = file
        self.sha256 = sha256
        self.license = license
    }

    /// The catalog version string, e.g. `litellm 1.109.1 (sha256 8f8060d8ce7a)`: the first 12
    /// hex digits of the original file's hash.
    public var versionLabel: String {
        "\(name) \(version) (sha256 \(sha256.prefix(12)))"
    }
}
