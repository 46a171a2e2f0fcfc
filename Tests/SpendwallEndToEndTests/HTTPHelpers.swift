import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SpendwallCore
import Synchronization

/// A complete HTTP answer.
struct HTTPResult: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: Data

    var text: String { String(decoding: body, as: UTF8.self) }
    var json: Any? { try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed]) }
    var object: [String: Any] { json as? [String: Any] ?? [:] }

    /// OpenAI shape `{"error":{"type":…}}`.
    var openAIErrorType: String? { (object["error"] as? [String: Any])?["type"] as? String }
    var errorMessage: String? {
        (object["error"] as? [String: Any])?["message"] as? String
    }
}

enum HTTP {
    /// One client for the whole test process; its pool allows many connections to one host so
    /// that concurrency tests are really concurrent.
    static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(5), concurrentHTTP1ConnectionsPerHostSoftLimit: 256)
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(30))
        configuration.decompression = .disabled
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    static func request(
        _ method: HTTPMethod, _ url: String, headers: [(String, String)] = [], body: Data? = nil, timeout: Int64 = 30
    ) async throws -> HTTPResult {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await client.execute(request, timeout: .seconds(timeout))
        let bytes = try await response.body.collect(upTo: 64 * 1024 * 1024)
        return HTTPResult(status: Int(response.status.code), headers: response.headers, body: Data(bytes.readableBytesView))
    }

    static func post(_ url: String, headers: [(String, String)] = [], json: Any) async throws -> HTTPResult {
        let data = try JSONSerialization.data(withJSONObject: json)
        return try await request(.POST, url, headers: [("content-type", "application/json")] + headers, body: data)
    }

    static func post(_ url: String, headers: [(String, String)] = [], raw: String) async throws -> HTTPResult {
        try await request(.POST, url, headers: [("content-type", "application/json")] + headers, body: Data(raw.utf8))
    }
}

// MARK: Decoded admin/simulator documents

struct Usage: Decodable, Equatable, CustomStringConvertible {
    var input: Int64
    var cachedInput: Int64
    var cacheWrite: Int64
    var extendedCacheWrite: Int64
    var output: Int64
    var reasoning: Int64
    var audioInput: Int64 = 0
    var audioOutput: Int64 = 0

    enum CodingKeys: String, CodingKey {
        case input, output, reasoning
        case cachedInput = "cached_input"
        case cacheWrite = "cache_write"
        case extendedCacheWrite = "extended_cache_write"
        case audioInput = "audio_input"
        case audioOutput = "audio_output"
    }

    init(input: Int64, cachedInput: Int64, cacheWrite: Int64, extendedCacheWrite: Int64 = 0, output: Int64, reasoning: Int64, audioInput: Int64 = 0, audioOutput: Int64 = 0) {
        self.input = input
        self.cachedInput = cachedInput
        self.cacheWrite = cacheWrite
        self.extendedCacheWrite = extendedCacheWrite
        self.output = output
        self.reasoning = reasoning
        self.audioInput = audioInput
        self.audioOutput = audioOutput
    }

    init(_ usage: TokenUsage) {
        self.init(
            input: usage.input, cachedInput: usage.cachedInput, cacheWrite: usage.cacheWrite,
            extendedCacheWrite: usage.extendedCacheWrite, output: usage.output, reasoning: usage.reasoning,
            audioInput: usage.audioInput, audioOutput: usage.audioOutput
        )
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            input: try container.decode(Int64.self, forKey: .input), cachedInput: try container.decode(Int64.self, forKey: .cachedInput),
            cacheWrite: try container.decode(Int64.self, forKey: .cacheWrite),
            extendedCacheWrite: try container.decode(Int64.self, forKey: .extendedCacheWrite),
            output: try container.decode(Int64.self, forKey: .output), reasoning: try container.decode(Int64.self, forKey: .reasoning),
            audioInput: try container.decode(Int64.self, forKey: .audioInput), audioOutput: try container.decode(Int64.self, forKey: .audioOutput)
        )
    }

    var description: String {
        "in \(input) cached \(cachedInput) write \(cacheWrite) write-1h \(extendedCacheWrite) out \(output) reasoning \(reasoning) audio in \(audioInput) audio out \(audioOutput)"
    }
}

struct Rates: Decodable {
    var input: Int64
    var output: Int64
    var cachedInput: Int64?
    var cacheWrite: Int64?
    var extendedCacheWrite: Int64?
    var reasoning: Int64?
    var audioInput: Int64?
    var audioOutput: Int64?

    enum CodingKeys: String, CodingKey {
        case input, output, reasoning
        case cachedInput = "cached_input"
        case cacheWrite = "cache_write"
        case extendedCacheWrite = "extended_cache_write"
        case audioInput = "audio_input"
        case audioOutput = "audio_output"
    }
}

struct LedgerRow: Decodable {
    var requestID: String
    var holdID: String
    var keyID: String
    var tenantID: String
    var teamID: String?
    var model: String
    var endpoint: String
    var usage: Usage
    var rates: Rates
    var catalogVersion: String
    var cost: Int64
    var listCost: Int64
    var hold: Int64
    var status: String
    var upstreamStatus: Int?
    var upstreamID: String?
    var decision: String?

    enum CodingKeys: String, CodingKey {
        case model, endpoint, usage, rates, cost, hold, status, decision
        case requestID = "request_id"
        case holdID = "hold_id"
        case keyID = "key_id"
        case tenantID = "tenant_id"
        case teamID = "team_id"
        case catalogVersion = "catalog_version"
        case listCost = "list_cost"
        case upstreamStatus = "upstream_status"
        case upstreamID = "upstream_id"
    }

    /// The price recomputed here, independently of the product: every token kind times its
    /// rate (a missing cached/cache-write rate bills as input, a missing reasoning rate as
    /// output), in pico-dollars, rounded up once to nano-dollars.
    var recomputedCost: Int64 {
        let picos = usage.input * rates.input
            + usage.cachedInput * (rates.cachedInput ?? rates.input)
            + usage.cacheWrite * (rates.cacheWrite ?? rates.input)
            + usage.extendedCacheWrite * (rates.extendedCacheWrite ?? rates.cacheWrite ?? rates.input)
            + usage.output * rates.output
            + usage.reasoning * (rates.reasoning ?? rates.output)
            + usage.audioInput * (rates.audioInput ?? rates.input)
            + usage.audioOutput * (rates.audioOutput ?? rates.output)
        return picos <= 0 ? 0 : (picos + 999) / 1000
    }
}

struct SimCall: Decodable {
    var index: Int
    var id: String
    var endpoint: String
    var model: String
    var stream: Bool
    var status: Int
    var usage: TokenUsage
    var completed: Bool
    var sawSpendwallKey: Bool
    var authorizationOK: Bool
    var fault: String?
}

struct BudgetStatusRow: Decodable {
    struct Budget: Decodable {
        var id: String
        var limit: Int64
    }

    var budget: Budget
    var spent: Int64
    var held: Int64
    var available: Int64
}

struct GatewayStatus: Decodable {
    var openHolds: Int
    var catalogVersion: String
    var unsettledLedgerRows: Int
    var sharedBudgets: Bool

    enum CodingKeys: String, CodingKey {
        case openHolds = "open_holds"
        case catalogVersion = "catalog_version"
        case unsettledLedgerRows = "unsettled_ledger_rows"
        case sharedBudgets = "shared_budgets"
    }
}

/// A tenant, team and key created for a test.
struct Account {
    var tenant: String
    var team: String
    var keyID: String
    var secret: String
}

// MARK: Admin and simulator helpers

extension GatewayProcess {
    var adminHeaders: [(String, String)] { [("authorization", "Bearer \(adminToken)")] }

    /// Calls the admin API and returns the answer; throws on a non-2xx status.
    @discardableResult
    func admin(_ method: HTTPMethod, _ path: String, json: Any? = nil) async throws -> HTTPResult {
        let url = adminURL + "/admin/v1" + path
        let result: HTTPResult
        if let json {
            let data = try JSONSerialization.data(withJSONObject: json)
            result = try await HTTP.request(method, url, headers: [("content-type", "application/json")] + adminHeaders, body: data)
        } else {
            result = try await HTTP.request(method, url, headers: adminHeaders)
        }
        guard (200..<300).contains(result.status) else {
            throw HarnessError("admin \(method) \(path) answered \(result.status): \(result.text)")
        }
        return result
    }

    func status() async throws -> GatewayStatus {
        try JSONDecoder().decode(GatewayStatus.self, from: try await admin(.GET, "/status").body)
    }

    func ledger(tenant: String? = nil, limit: Int = 10_000) async throws -> [LedgerRow] {
        var path = "/ledger?limit=\(limit)"
        if let tenant { path += "&tenant=\(tenant)" }
        return try JSONDecoder().decode([LedgerRow].self, from: try await admin(.GET, path).body)
    }

    func budgets(tenant: String) async throws -> [BudgetStatusRow] {
        try JSONDecoder().decode([BudgetStatusRow].self, from: try await admin(.GET, "/budgets?tenant=\(tenant)").body)
    }

    func simulatorCalls() async throws -> [SimCall] {
        let result = try await HTTP.request(.GET, simulatorURL + "/_simulator/calls")
        guard result.status == 200 else { throw HarnessError("simulator calls answered \(result.status)") }
        return try JSONDecoder().decode([SimCall].self, from: result.body)
    }

    /// Creates a tenant, a team and a key (with extra key fields) and returns them.
    func makeAccount(_ name: String = "t", key extra: [String: Any] = [:]) async throws -> Account {
        let tenant = "tenant-\(name)"
        let team = "team-\(name)"
        try await admin(.POST, "/tenants", json: ["id": tenant, "name": tenant])
        try await admin(.POST, "/teams", json: ["tenant": tenant, "id": team, "name": team])
        let (keyID, secret) = try await makeKey(tenant: tenant, team: team, name: "key-\(name)", extra: extra)
        return Account(tenant: tenant, team: team, keyID: keyID, secret: secret)
    }

    func makeKey(tenant: String, team: String?, name: String, extra: [String: Any] = [:]) async throws -> (id: String, secret: String) {
        var body: [String: Any] = ["tenant": tenant, "name": name]
        if let team { body["team"] = team }
        for (field, value) in extra { body[field] = value }
        let created = try await admin(.POST, "/keys", json: body).object
        guard let secret = created["secret"] as? String, let key = created["key"] as? [String: Any], let id = key["id"] as? String else {
            throw HarnessError("unexpected key creation answer: \(created)")
        }
        return (id, secret)
    }

    func setBudget(tenant: String, scope: String, scopeID: String?, limitDollars: String, period: String = "total") async throws -> String {
        var body: [String: Any] = ["tenant": tenant, "scope": scope, "period": period, "limit": limitDollars]
        if let scopeID { body["scope_id"] = scopeID }
        let record = try await admin(.POST, "/budgets", json: body).object
        guard let id = record["id"] as? String else { throw HarnessError("unexpected budget answer: \(record)") }
        return id
    }

    /// Waits (bounded) until no hold is open and the ledger holds at least `rows` rows.
    /// `open_holds` drops before the ledger row is durable, so both are polled.
    @discardableResult
    func settled(rows: Int, tenant: String? = nil, timeout: Double = 5) async throws -> [LedgerRow] {
        let deadline = Date().addingTimeInterval(timeout)
        var last: [LedgerRow] = []
        var open = -1
        while Date() < deadline {
            open = try await status().openHolds
            last = try await ledger(tenant: tenant)
            if open == 0 && last.count >= rows { return last }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw HarnessError("not settled after \(timeout) s: open_holds \(open), ledger rows \(last.count) (want \(rows))")
    }

    /// Waits (bounded) until the simulator has logged at least `count` calls.
    func simulatorCalls(atLeast count: Int, timeout: Double = 5) async throws -> [SimCall] {
        let deadline = Date().addingTimeInterval(timeout)
        var calls: [SimCall] = []
        while Date() < deadline {
            calls = try await simulatorCalls()
            if calls.count >= count { return calls }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw HarnessError("the simulator logged \(calls.count) calls, want \(count)")
    }
}

// MARK: Data-plane requests

enum Dialect {
    case openai, anthropic, gemini

    func authHeaders(_ secret: String) -> [(String, String)] {
        switch self {
        case .openai: [("authorization", "Bearer \(secret)")]
        case .anthropic: [("x-api-key", secret), ("anthropic-version", "2023-06-01")]
        case .gemini: [("x-goog-api-key", secret)]
        }
    }
}

extension GatewayProcess {
    func call(_ path: String, _ dialect: Dialect, secret: String, json: Any, headers: [(String, String)] = []) async throws -> HTTPResult {
        try await HTTP.post(dataURL + path, headers: dialect.authHeaders(secret) + headers, json: json)
    }

    func chat(secret: String, stream: Bool = false, maxTokens: Int? = 40, extra: [String: Any] = [:], headers: [(String, String)] = []) async throws -> HTTPResult {
        var body: [String: Any] = ["model": "gpt-4o-mini", "messages": [["role": "user", "content": "Say hello to the end-to-end test."]]]
        if stream { body["stream"] = true }
        if let maxTokens { body["max_tokens"] = maxTokens }
        for (field, value) in extra { body[field] = value }
        return try await call("/v1/chat/completions", .openai, secret: secret, json: body, headers: headers)
    }
}

/// The `data:` payloads of an SSE body, in order.
func sseData(_ text: String) -> [String] {
    text.components(separatedBy: "\n").compactMap { line -> String? in
        guard line.hasPrefix("data:") else { return nil }
        return String(line.dropFirst(5)).trimmingCharacters(in: .whitespaces)
    }
}

func jsonObject(_ text: String) -> [String: Any]? {
    (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
}

extension HTTPHeaders {
    var requestID: String? { first(name: "x-spendwall-request-id") }
}

/// A streamed answer read until the server ended it or broke it off.
struct PartialResult: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: Data
    /// The error that ended the body early, if it did not end cleanly.
    var error: String?

    var text: String { String(decoding: body, as: UTF8.self) }
}

extension HTTP {
    /// Sends a request and reads the body chunk by chunk, keeping what arrived before an error.
    /// `onFirstChunk` runs once, after the first body bytes arrived.
    static func streamTolerant(
        _ url: String, headers: [(String, String)], json: Any, timeout: Int64 = 30,
        onHead: @Sendable (HTTPHeaders) async -> Void = { _ in }
    ) async throws -> PartialResult {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json)))
        let response = try await client.execute(request, timeout: .seconds(timeout))
        await onHead(response.headers)
        var data = Data()
        var failure: String?
        do {
            for try await chunk in response.body {
                data.append(contentsOf: chunk.readableBytesView)
            }
        } catch {
            failure = "\(error)"
        }
        return PartialResult(status: Int(response.status.code), headers: response.headers, body: data, error: failure)
    }
}

/// Formats nano-dollars as the admin API's dollar string.
func dollars(nanos: Int64) -> String {
    "\(nanos / 1_000_000_000).\(String(format: "%09lld", nanos % 1_000_000_000))"
}

/// A value shared between tasks.
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
    func withLock<T: Sendable>(_ body: (inout Value) -> T) -> T { mutex.withLock { body(&$0) } }
    var value: Value { mutex.withLock { $0 } }
}
