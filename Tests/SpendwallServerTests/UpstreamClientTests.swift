import NIOCore
import NIOHTTP1
import Foundation
import NIOPosix
import NIOSSL
@testable import SpendwallServer
import Testing

@Suite("UpstreamClient")
struct UpstreamClientTests {
    func request(_ path: String) -> UpstreamRequest {
        UpstreamRequest(target: path, headers: ["content-type": "application/json"], body: ByteBuffer(string: "{}"))
    }

    func origin(_ server: TestUpstream) throws -> UpstreamOrigin {
        try #require(UpstreamOrigin(baseURL: "http://127.0.0.1:\(server.port)"))
    }

    var soon: NIODeadline { .now() + .seconds(10) }

    @Test("sequential requests reuse one keep-alive connection")
    func reusesConnections() async throws {
        let server = try await TestUpstream()
        let client = try UpstreamClient()
        for _ in 0..<5 {
            let response = try await client.execute(request("/ok"), to: origin(server), deadline: soon)
            #expect(response.status == .ok)
            #expect(String(buffer: try await response.body.collect(upTo: 1024)) == "hello")
        }
        #expect(server.acceptedConnections == 1)
        await client.shutdown()
        await server.stop()
    }

    @Test("a response with connection: close is not reused")
    func honoursConnectionClose() async throws {
        let server = try await TestUpstream()
        let client = try UpstreamClient()
        for _ in 0..<3 {
            let response = try await client.execute(request("/close"), to: origin(server), deadline: soon)
            #expect(String(buffer: try await response.body.collect(upTo: 1024)) == "hello")
        }
        #expect(server.acceptedConnections == 3)
        await client.shutdown()
        await server.stop()
    }

    @Test("a large body streams intact to a slow reader")
    func streamsWithBackpressure() async throws {
        let server = try await TestUpstream()
        let client = try UpstreamClient()
        let response = try await client.execute(request("/big"), to: origin(server), deadline: soon)
        var received = ByteBuffer()
        for try await chunk in response.body {
            received.writeImmutableBuffer(chunk)
            try await Task.sleep(for: .microseconds(200))
        }
        #expect(received.readableBytes == TestUpstream.chunkSize * TestUpstream.chunkCount)
        for index in 0..<TestUpstream.chunkCount {
            #expect(received.getInteger(at: index * TestUpstream.chunkSize, as: UInt8.self) == UInt8(index))
        }
        // Complete and keep-alive: the connection serves the next request.
        _ = try await client.execute(request("/ok"), to: origin(server), deadline: soon).body.collect(upTo: 1024)
        #expect(server.acceptedConnections == 1)
        await client.shutdown()
        await server.stop()
    }

    @Test("a body abandoned half-way closes its connection; the next request opens a new one")
    func abandonedBodyClosesTheConnection() async throws {
        let server = try await TestUpstream()
        let client = try UpstreamClient()
        do {
            let response = try await client.execute(request("/big"), to: origin(server), deadline: soon)
            let iterator = response.body.makeAsyncIterator()
            _ = try await iterator.next()
        }
        let response = try await client.execute(request("/ok"), to: origin(server), deadline: soon)
        #expect(String(buffer: try await response.body.collect(upTo: 1024)) == "hello")
        #expect(server.acceptedConnections == 2)
        await client.shutdown()
        await server.stop()
    }

    @Test("no answer before the deadline is a timeout, and the request counts as sent")
    func timesOut() async throws {
        let server = try await TestUpstream()
        let client = try UpstreamClient()
        let error = await #expect(throws: UpstreamError.self) {
            try await client.execute(request("/hang"), to: origin(server), deadline: .now() + .milliseconds(200))
        }
        #expect(error?.code == .timedOut)
        #expect(error?.mayHaveBeenSent == true)
        await client.shutdown()
        await server.stop()
    }

    @Test("a body cut off mid-way fails the reader with the request counted as sent")
    func cutBody() async throws {
        let server = try await TestUpstream()
        let client = try UpstreamClient()
        let response = try await client.execute(request("/cut"), to: origin(server), deadline: soon)
        let error = await #expect(throws: UpstreamError.self) { try await response.body.collect(upTo: 1 << 20) }
        #expect(error?.code == .connectionClosed)
        #expect(error?.mayHaveBeenSent == true)
        await client.shutdown()
        await server.stop()
    }

    @Test("a refused connection fails before sending")
    func connectionRefused() async throws {
        let server = try await TestUpstream()
        let closedPort = server.port
        await server.stop()
        let client = try UpstreamClient()
        let target = try #require(UpstreamOrigin(baseURL: "http://127.0.0.1:\(closedPort)"))
        let error = await #expect(throws: UpstreamError.self) {
            try await client.execute(request("/ok"), to: target, deadline: soon)
        }
        #expect(error?.code == .connectFailed)
        #expect(error?.mayHaveBeenSent == false)
        await client.shutdown()
    }

    @Test("an https origin whose certificate is not trusted fails in the handshake, before sending")
    func untrustedCertificate() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("spendwall-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let (certificate, key) = (directory.appendingPathComponent("cert.pem").path, directory.appendingPathComponent("key.pem").path)
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        openssl.arguments = [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", certificate,
            "-days", "1", "-subj", "/CN=localhost",
        ]
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        try #require(openssl.terminationStatus == 0, "openssl could not make a test certificate")
        let serverTLS = try NIOSSLContext(configuration: .makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem))
        ))
        let server = try await TestUpstream(tls: serverTLS)
        let client = try UpstreamClient()
        let target = try #require(UpstreamOrigin(baseURL: "https://localhost:\(server.port)"))
        #expect(target.usesTLS)
        let error = await #expect(throws: UpstreamError.self) {
            try await client.execute(request("/ok"), to: target, deadline: soon)
        }
        #expect(error?.code == .connectFailed)
        #expect(error?.mayHaveBeenSent == false)
        #expect(server.acceptedConnections >= 1)
        #expect(server.receivedRequests == 0)
        await client.shutdown()
        await server.stop()
    }

    @Test("base URLs parse into origins; anything but http(s) is refused", arguments: [
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080", "", false, 8080),
        ("https://api.openai.com", "https://api.openai.com", "", true, 443),
        ("https://gateway.example.com/openai/", "https://gateway.example.com/openai", "/openai", true, 443),
        ("http://[::1]:9000", "http://[::1]:9000", "", false, 9000),
    ])
    func parsesOrigins(url: String, described: String, basePath: String, tls: Bool, port: Int) throws {
        let origin = try #require(UpstreamOrigin(baseURL: url))
        #expect(origin.description == described)
        #expect(origin.basePath == basePath)
        #expect(origin.usesTLS == tls)
        #expect(origin.port == port)
    }

    @Test("non-http base URLs are refused", arguments: ["ftp://example.com", "example.com", "http://", "http://host/?q=1"])
    func refusesOtherURLs(url: String) {
        #expect(UpstreamOrigin(baseURL: url) == nil)
    }
}
