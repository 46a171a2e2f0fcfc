import NIOHTTP1
import AsyncHTTPClient
import NIOCore

/// Whether a self-hosted engine answers its health check on a loopback port.
enum EngineHealth {
    static func check(port: Int, path: String) async -> Bool {
        let request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        guard let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(2)) else { return false }
        _ = try? await response.body.collect(upTo: 1024 * 1024)
        return (200..<300).contains(response.status.code)
    }
}
