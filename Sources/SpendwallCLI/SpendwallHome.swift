import Foundation

/// Spendwall's working folder: `$SPENDWALL_HOME`, else `~/.spendwall`. Holds the database, the
/// admin token and imported price files.
struct SpendwallHome: Sendable {
    let url: URL

    init(url: URL) {
        self.url = url
    }

    init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        if let home = environment["SPENDWALL_HOME"], !home.isEmpty {
            url = URL(fileURLWithPath: home)
        } else {
            url = FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".spendwall")
        }
    }

    func create() throws {
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }

    var databasePath: String { url.appendingPathComponent("spendwall.sqlite").path }
    var adminTokenPath: String { url.appendingPathComponent("admin-token").path }
    var importedPricesPath: String { url.appendingPathComponent("prices-litellm.json").path }
    var gatewayAddressPath: String { url.appendingPathComponent("gateway.json").path }

    /// The admin token: `$SPENDWALL_ADMIN_TOKEN`, else the token file, created on first use
    /// with 32 random bytes and mode 0600.
    func adminToken(environment: [String: String] = ProcessInfo.processInfo.environment, createIfMissing: Bool) throws -> String? {
        if let token = environment["SPENDWALL_ADMIN_TOKEN"], !token.isEmpty { return token }
        if let data = FileManager.default.contents(atPath: adminTokenPath),
           let token = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines), !token.isEmpty {
            return token
        }
        guard createIfMissing else { return nil }
        try create()
        var generator = SystemRandomNumberGenerator()
        let token = "swadmin-" + (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
        guard FileManager.default.createFile(atPath: adminTokenPath, contents: Data((token + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
            throw CLIError("could not write the admin token to \(adminTokenPath)")
        }
        return token
    }
}
