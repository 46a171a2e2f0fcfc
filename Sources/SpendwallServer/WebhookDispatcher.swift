import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import SpendwallEngine
import SpendwallStorage

/// Sends pending alert deliveries to their webhooks: a signed JSON POST each, retried with
/// doubling waits (1 s, 2 s, 4 s … at most 5 min) until the webhook answers 2xx or the attempts
/// run out. Every attempt's outcome is written back to the delivery log, so nothing is lost or
/// sent twice across a restart (a delivery in flight when the process died is sent again).
public final class WebhookDispatcher: Service, Sendable {
    let store: any SpendStore
    let client: UpstreamClient
    /// Signing secret per webhook URL.
    let secrets: [String: String]
    let maxAttempts: Int
    let clock: any WallClock
    let interval: Duration
    let logger: Logger

    public init(gateway: Gateway, webhooks: [(url: String, secret: String)], maxAttempts: Int, clock: any WallClock, interval: Duration = .milliseconds(200)) {
        self.store = gateway.controlPlane.store
        self.client = gateway.upstream
        self.secrets = Dictionary(webhooks.map { ($0.url, $0.secret) }, uniquingKeysWith: { first, _ in first })
        self.maxAttempts = maxAttempts
        self.clock = clock
        self.interval = interval
        self.logger = gateway.logger
    }

    public func run() async throws {
        await PeriodicWork.run(every: interval) { await self.deliverDue() }
    }

    /// Attempts every delivery that is due; returns how many were attempted.
    @discardableResult
    public func deliverDue() async -> Int {
        guard let due = try? await store.dueDeliveries(now: clock.nowMillis(), limit: 50) else { return 0 }
        for delivery in due { await attempt(delivery) }
        return due.count
    }

    private func attempt(_ delivery: DeliveryRecord) async {
        var delivery = delivery
        delivery.attempts += 1
        let failure = await post(delivery)
        let now = clock.nowMillis()
        if let failure {
            delivery.lastError = failure
            if delivery.attempts >= maxAttempts {
                delivery.status = .failed
                logger.error("alert webhook delivery failed for good", metadata: ["delivery": "\(delivery.id)", "url": "\(delivery.url)", "error": "\(failure)"])
            } else {
                delivery.nextAttemptAt = now + Self.backoffMillis(afterAttempt: delivery.attempts)
                logger.warning("alert webhook delivery failed; will retry", metadata: ["delivery": "\(delivery.id)", "attempt": "\(delivery.attempts)", "error": "\(failure)"])
            }
        } else {
            delivery.status = .delivered
            delivery.deliveredAt = now
            delivery.lastError = nil
        }
        do {
            try await store.updateDelivery(delivery)
        } catch {
            logger.error("could not record a webhook delivery attempt", metadata: ["delivery": "\(delivery.id)", "error": "\(error)"])
        }
    }

    /// Posts one delivery; nil on a 2xx answer, else what went wrong.
    private func post(_ delivery: DeliveryRecord) async -> String? {
        guard let origin = UpstreamOrigin(baseURL: delivery.url) else { return "not an http:// or https:// URL" }
        guard let secret = secrets[delivery.url] else { return "no webhook with this URL is configured any more" }
        let body = Array(delivery.body.utf8)
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "application/json")
        headers.add(name: "user-agent", value: "spendwall-alerts")
        headers.add(name: "x-spendwall-delivery", value: delivery.id)
        headers.add(name: WebhookSignature.headerName, value: WebhookSignature.sign(body: body, secret: secret))
        let request = UpstreamRequest(target: origin.basePath.isEmpty ? "/" : "", headers: headers, body: ByteBuffer(bytes: body))
        do {
            let response = try await client.execute(request, to: origin, deadline: .now() + .seconds(10))
            _ = try? await response.body.collect(upTo: 64 * 1024)
            return (200..<300).contains(Int(response.status.code)) ? nil : "HTTP \(response.status.code)"
        } catch {
            return "\(error)"
        }
    }

    /// 1 s after the first failure, doubling, at most 5 minutes.
    static func backoffMillis(afterAttempt attempt: Int) -> Int64 {
        min(300_000, 1000 << min(max(0, attempt - 1), 20))
    }
}
