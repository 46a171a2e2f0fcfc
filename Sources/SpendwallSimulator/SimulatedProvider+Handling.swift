import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SpendwallCore
import Synchronization

/// How a model endpoint reads its request.
struct EndpointSpec<Body: Decodable & Sendable>: Sendable {
    var endpoint: SimulatedEndpoint
    /// The model, when the path names it (Gemini).
    var pathModel: String?
    /// Whether the answer streams, when the path decides it (Gemini).
    var pathStream: Bool?
    var model: @Sendable (Body) -> String
    var stream: @Sendable (Body) -> Bool
    var makeID: @Sendable (_ serial: Int) -> String
}

/// A decoded, admitted model call, ready to answer.
struct AdmittedCall<Body: Sendable>: Sendable {
    var body: Body
    var facts: CallFacts
    /// Hash of the raw request body: the seed of the answer.
    var seed: UInt64
}

extension SimulatedProvider {
    /// Runs the steps every model call shares — read the body, check the key, decode, apply
    /// `status` and `hang` faults, wait the first-byte delay — then lets `answer` respond.
    func handle<Body: Decodable & Sendable>(
        _ request: Request,
        context: SimulatorRequestContext,
        spec: EndpointSpec<Body>,
        answer: (AdmittedCall<Body>) async throws -> Response
    ) async throws -> Response {
        let provider = spec.endpoint.provider
        let serial = nextSerial()
        let faultText = request.headers[.simulatorFault]
        var facts = CallFacts(
            endpoint: spec.endpoint,
            model: spec.pathModel ?? "unknown",
            stream: spec.pathStream ?? false,
            id: spec.makeID(serial),
            sawSpendwallKey: CallFacts.containsSpendwallKey(request.headers),
            authorizationOK: CallFacts.isAuthorized(request, provider: provider, expectedKeys: config.expectedKeys),
            fault: faultText.flatMap(SimulatorFault.init(headerValue:)),
            faultText: faultText,
            cachedTokens: CallFacts.count(request.headers, .simulatorCachedTokens),
            cacheWriteTokens: CallFacts.count(request.headers, .simulatorCacheWriteTokens),
            extendedCacheWriteTokens: CallFacts.count(request.headers, .simulatorExtendedCacheWriteTokens),
            audioTokens: CallFacts.count(request.headers, .simulatorAudioTokens),
            audioOutputTokens: CallFacts.count(request.headers, .simulatorAudioOutputTokens),
            chunkDelay: CallFacts.chunkDelay(request.headers)
        )

        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: config.maxRequestBytes)
        } catch {
            return fail(facts, status: 413, message: "Request body too large.")
        }
        let decoded = try? JSONDecoder().decode(Body.self, from: Data(buffer.readableBytesView))
        if let decoded {
            facts.model = spec.pathModel ?? spec.model(decoded)
            facts.stream = spec.pathStream ?? spec.stream(decoded)
        }
        guard facts.authorizationOK else {
            return fail(facts, status: 401, message: "Invalid or missing API key.")
        }
        guard let decoded else {
            return fail(facts, status: 400, message: "The request body is not a valid \(spec.endpoint.rawValue) request.")
        }
        switch facts.fault {
        case .status(let status):
            return fail(facts, status: status, message: "Injected fault: HTTP \(status).")
        case .hang:
            await hang(context: context)
            return fail(facts, status: 504, message: "Injected hang ended after the limit.")
        case .breakAfter, .endAfter, nil:
            break
        }
        if config.firstByteDelay != .zero {
            try await Task.sleep(for: config.firstByteDelay)
        }
        let seed = SimulatorHash.fnv1a(buffer.readableBytesView)
        return try await answer(AdmittedCall(body: decoded, facts: facts, seed: seed))
    }

    /// Waits until the client closes the connection, the server shuts down, or the hang limit passes.
    private func hang(context: SimulatorRequestContext) async {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: config.hangLimit)
        while clock.now < deadline, context.channel.isActive {
            do {
                try await Task.sleep(for: .milliseconds(50))
            } catch {
                return
            }
        }
    }

    /// Records a failed call and answers the dialect's error.
    func fail(_ facts: CallFacts, status: Int, message: String) -> Response {
        record(facts.call(status: status, completed: false))
        var response = jsonResponse(
            ProviderErrorBody.json(facts.endpoint.provider, status: status, message: message),
            facts: facts,
            status: status
        )
        if status == 429 || status == 503 || status == 529 {
            response.headers[.retryAfter] = "1"
        }
        return response
    }

    /// A JSON response with the simulator's headers.
    func jsonResponse(_ json: String, facts: CallFacts, status: Int = 200) -> Response {
        var headers = simulatorHeaders(facts)
        headers[.contentType] = "application/json"
        return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: json)))
    }

    /// A streaming response with the simulator's headers.
    func streamResponse(_ body: ResponseBody, facts: CallFacts, contentType: String = "text/event-stream; charset=utf-8") -> Response {
        var headers = simulatorHeaders(facts)
        headers[.contentType] = contentType
        headers[.cacheControl] = "no-cache"
        return Response(status: .ok, headers: headers, body: body)
    }

    /// Records a completed non-streaming call and answers `json`.
    func complete(_ facts: CallFacts, usage: TokenUsage, json: String) -> Response {
        record(facts.call(usage: usage, completed: true))
        return jsonResponse(json, facts: facts)
    }

    /// A player that records `facts` with `plan`'s usage when the stream ends.
    func streamPlayer(_ facts: CallFacts, plan: CompletionPlan) -> StreamPlayer {
        StreamPlayer(
            interChunkDelay: facts.chunkDelay ?? config.interChunkDelay,
            fault: facts.fault,
            record: { [self] completed, wordsSent in
                record(facts.call(usage: plan.usage(outputSent: completed ? nil : wordsSent), completed: completed))
            },
            markBroken: { [self] index in
                log.withLock { $0.markBroken(index: index) }
            }
        )
    }

    private func simulatorHeaders(_ facts: CallFacts) -> HTTPFields {
        var headers = HTTPFields()
        headers.reserveCapacity(5)
        headers[.spendwallSimulated] = "true"
        switch facts.endpoint.provider {
        case .openai: headers[.openAIRequestID] = "req_" + facts.id
        case .anthropic: headers[.anthropicRequestID] = "req_" + facts.id
        case .gemini: break
        }
        return headers
    }

    /// Seconds since 1970, for `created` fields.
    static func unixTime() -> Int {
        Int(Date().timeIntervalSince1970)
    }
}
