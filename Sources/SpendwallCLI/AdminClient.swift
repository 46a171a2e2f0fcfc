import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Talks to a running gateway's admin API.
struct AdminClient {
    let baseURL: String
    let token: String

    /// The admin URL: `--admin-url`, `$SPENDWALL_ADMIN_URL`, the running gateway's address file,
    /// else `http://127.0.0.1:8788`.
    static func make(options: AdminOptions) throws -> AdminClient {
        let home = SpendwallHome()
        let environment = ProcessInfo.processInfo.environment
        var url = options.adminURL ?? environment["SPENDWALL_ADMIN_URL"]
        if url == nil, let data = FileManager.default.contents(atPath: home.gatewayAddressPath),
           let address = try? JSONDecoder().decode(GatewayAddress.self, from: data) {
            url = "http://" + address.admin
        }
        guard let token = try home.adminToken(createIfMissing: false) else {
            throw CLIError("no admin token: start `spendwall serve` once (it writes \(home.adminTokenPath)) or set SPENDWALL_ADMIN_TOKEN", exitCode: .configuration)
        }
        var base = url ?? "http://127.0.0.1:8788"
        while base.hasSuffix("/") { base.removeLast() }
        return AdminClient(baseURL: base, token: token)
    }

    /// Sends a request and returns the decoded JSON answer; non-2xx answers become `CLIError`.
    func send(_ method: HTTPMethod, _ path: String, body: [String: Any]? = nil) async throws -> Any? {
        var request = HTTPClientRequest(url: baseURL + "/admin/v1" + path)
        request.method = method
        request.headers.add(name: "authorization", value: "Bearer \(token)")
        if let body {
            request.headers.add(name: "content-type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
        }
        let response: HTTPClientResponse
        let bytes: ByteBuffer
        do {
            response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
            bytes = try await response.body.collect(upTo: 256 * 1024 * 1024)
        } catch {
            throw CLIError("cannot reach the gateway's admin API at \(baseURL): is `spendwall serve` running? (\(error))", exitCode: .unreachable)
        }
        let data = Data(bytes.readableBytesView)
        guard (200..<300).contains(response.status.code) else {
            let reason = (try? JSONSerialization.jsonObject(with: data) as? [String: Any])
                .flatMap { ($0["error"] as? [String: Any])?["message"] as? String } ?? String(decoding: data, as: UTF8.self)
            let code: CLIError.ExitCode = switch response.status.code {
            case 404: .notFound
            case 401, 403: .configuration
            default: .usage
            }
            throw CLIError(reason.isEmpty ? "admin API answered \(response.status.code)" : reason, exitCode: code)
        }
        return data.isEmpty ? nil : try JSONSerialization.jsonObject(with: data)
    }
}

/// Options every admin command takes.
struct AdminOptions: ParsableArguments {
    @Option(name: .customLong("admin-url"), help: "Admin API URL (default: the running gateway's, else http://127.0.0.1:8788).")
    var adminURL: String?

    @Flag(name: .long, help: "Print JSON instead of a table.")
    var json = false
}

extension AdminClient {
    /// Sends raw bytes (a price file) and returns the answer's bytes.
    func sendRaw(_ method: HTTPMethod, _ path: String, body: Data) async throws -> Data {
        var request = HTTPClientRequest(url: baseURL + "/admin/v1" + path)
        request.method = method
        request.headers.add(name: "authorization", value: "Bearer \(token)")
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let bytes = try await response.body.collect(upTo: 1024 * 1024)
        guard (200..<300).contains(response.status.code) else {
            throw CLIError(String(decoding: bytes.readableBytesView, as: UTF8.self), exitCode: .usage)
        }
        return Data(bytes.readableBytesView)
    }
}
