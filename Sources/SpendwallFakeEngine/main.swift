// A stand-in for a self-hosted inference engine (vLLM), for tests without a GPU.
//
//   spendwall-fake-engine --port P [--model M] [--ready-after SECONDS] [--ignore-sigterm]
//                         [--child-pid-file PATH] [--exit-after SECONDS]
//
// Serves `GET /health` (503 until --ready-after has passed), `POST /v1/chat/completions`
// (OpenAI's shape, usage included: prompt tokens = body bytes / 4, completion tokens =
// min(max_tokens, 16)), `GET /v1/models`, and vLLM-style `GET /metrics` whose counters count what
// it served; `POST /control` with `{"prompt_tokens":…,"generation_tokens":…,"running":…}` adds to
// the counters and sets the running gauge. At start it spawns a child (`sleep`) in its own process
// group, writing the child's pid to --child-pid-file, so tests can check the whole group is
// stopped. --ignore-sigterm makes it (and its child) ignore SIGTERM, to exercise SIGKILL.
import Foundation
import Hummingbird
import NIOCore
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

struct Options {
    var port = 8000
    var model = "fake-model"
    var readyAfter = 0.0
    var ignoreSigterm = false
    var childPIDFile: String?
    var exitAfter: Double?

    init(_ arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--port": port = Int(iterator.next() ?? "") ?? port
            case "--model": model = iterator.next() ?? model
            case "--ready-after": readyAfter = Double(iterator.next() ?? "") ?? 0
            case "--ignore-sigterm": ignoreSigterm = true
            case "--child-pid-file": childPIDFile = iterator.next()
            case "--exit-after": exitAfter = Double(iterator.next() ?? "")
            default: break
            }
        }
    }
}

struct Counters {
    var promptTokens: Int64 = 0
    var generationTokens: Int64 = 0
    var requests: Int64 = 0
    var running: Int64 = 0
}

let options = Options(CommandLine.arguments)
if options.ignoreSigterm { signal(SIGTERM, SIG_IGN) }
let started = Date()
let counters = Mutex(Counters())

// A child in the same process group, as real engines have (workers, tokenizers). Foundation's
// Process would give it a group of its own, so posix_spawn is called directly.
func spawnChild() -> pid_t {
    var pid: pid_t = 0
    let arguments: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/sleep"), strdup("100000"), nil]
    guard posix_spawn(&pid, "/bin/sleep", nil, nil, arguments, environ) == 0 else { fatalError("could not start the child") }
    return pid
}
let childPID = spawnChild()
if let path = options.childPIDFile { try String(childPID).write(toFile: path, atomically: true, encoding: .utf8) }
func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }
say("fake engine: pid \(getpid()), child \(childPID), port \(options.port)")

if let seconds = options.exitAfter {
    Task {
        try await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
        say("fake engine: exiting with status 3 as told")
        exit(3)
    }
}

@Sendable func json(_ object: Any, status: HTTPResponse.Status = .ok) -> Response {
    let data = (try? JSONSerialization.data(withJSONObject: object)) ?? Data()
    return Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
}

let router = Router()
router.get("/health") { _, _ -> Response in
    Date().timeIntervalSince(started) >= options.readyAfter ? Response(status: .ok) : Response(status: .serviceUnavailable)
}
router.get("/v1/models") { _, _ in
    json(["object": "list", "data": [["id": options.model, "object": "model", "owned_by": "fake-engine"]]])
}
router.post("/v1/chat/completions") { request, _ -> Response in
    let body = try await request.body.collect(upTo: 16 * 1024 * 1024)
    let object = (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] ?? [:]
    let cap = (object["max_tokens"] as? Int) ?? (object["max_completion_tokens"] as? Int) ?? 16
    let prompt = Int64(max(1, body.readableBytes / 4))
    let completion = Int64(min(cap, 16))
    counters.withLock {
        $0.promptTokens += prompt
        $0.generationTokens += completion
        $0.requests += 1
    }
    let text = Array(repeating: "ok", count: Int(completion)).joined(separator: " ")
    return json([
        "id": "chatcmpl-fake-\(UUID().uuidString.prefix(8))", "object": "chat.completion", "created": Int(Date().timeIntervalSince1970),
        "model": (object["model"] as? String) ?? options.model,
        "choices": [["index": 0, "message": ["role": "assistant", "content": text], "finish_reason": "length"]],
        "usage": ["prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion],
    ])
}
router.post("/control") { request, _ -> Response in
    let body = try await request.body.collect(upTo: 1024 * 1024)
    let object = (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] ?? [:]
    counters.withLock {
        $0.promptTokens += (object["prompt_tokens"] as? Int64) ?? Int64((object["prompt_tokens"] as? Int) ?? 0)
        $0.generationTokens += (object["generation_tokens"] as? Int64) ?? Int64((object["generation_tokens"] as? Int) ?? 0)
        if let running = object["running"] as? Int { $0.running = Int64(running) }
    }
    return Response(status: .noContent)
}
router.get("/metrics") { _, _ -> Response in
    let now = counters.withLock { $0 }
    let text = """
        # HELP vllm:num_requests_running Number of requests currently running on GPU.
        # TYPE vllm:num_requests_running gauge
        vllm:num_requests_running{model_name="\(options.model)"} \(now.running).0
        # HELP vllm:prompt_tokens_total Number of prefill tokens processed.
        # TYPE vllm:prompt_tokens_total counter
        vllm:prompt_tokens_total{model_name="\(options.model)"} \(now.promptTokens).0
        # HELP vllm:generation_tokens_total Number of generation tokens processed.
        # TYPE vllm:generation_tokens_total counter
        vllm:generation_tokens_total{model_name="\(options.model)"} \(now.generationTokens).0
        # HELP process_start_time_seconds Start time of the process since unix epoch in seconds.
        # TYPE process_start_time_seconds gauge
        process_start_time_seconds \(Int(started.timeIntervalSince1970)).0

        """
    return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
}

let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: options.port), serverName: "fake-engine"))
try await app.runService()
