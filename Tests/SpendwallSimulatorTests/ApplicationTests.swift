import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SpendwallCore
@testable import SpendwallSimulator
import Testing

@Suite("Running as an application")
struct ApplicationTests {
    @Test func servesOnAnEphemeralPortAndReportsIt() async throws {
        let simulator = SimulatedProvider()
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = simulator.makeApplication(host: "127.0.0.1", port: 0) { port in
            continuation.yield(port)
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.run() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            #expect(port > 0)
            let response = try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
                try await client.post(
                    "/v1/chat/completions",
                    headers: [.contentType: "application/json"],
                    body: ByteBuffer(string: #"{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"stream":true}"#)
                )
            }
            #expect(response.status == .ok)
            #expect(response.headers[.spendwallSimulated] == "true")
            #expect(String(buffer: try #require(response.body)).hasSuffix("data: [DONE]\n\n"))
            #expect(simulator.calls.count == 1)
            group.cancelAll()
        }
    }
}
