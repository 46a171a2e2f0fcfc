import Foundation
import HTTPTypes
import Hummingbird

extension SimulatedProvider {
    /// `GET /_simulator/calls[?since=N]`, `GET /_simulator/usage`, `POST /_simulator/reset`.
    func addCallLogRoutes(to router: Router<SimulatorRequestContext>) {
        router.get("/_simulator/calls") { request, _ in
            let since = request.uri.queryParameters.get("since").flatMap { Int($0) } ?? 0
            return try Self.encoded(self.calls(since: since))
        }
        router.get("/_simulator/usage") { _, _ in
            try Self.encoded(self.usageByModel)
        }
        router.post("/_simulator/reset") { _, _ in
            self.reset()
            return Response(status: .noContent, headers: [.spendwallSimulated: "true"])
        }
    }

    private static func encoded(_ value: some Encodable) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(value)
        var headers = HTTPFields()
        headers[.spendwallSimulated] = "true"
        headers[.contentType] = "application/json"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
