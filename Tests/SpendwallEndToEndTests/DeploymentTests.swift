import Foundation
import NIOHTTP1
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `spendwall deploy|status|deployments|kill` against the real server and the fake engine
/// (`spendwall-fake-engine`: OpenAI API, vLLM-style /metrics, a child process in its group).
@Suite(.serialized) struct DeploymentTests {
    /// Interval 1 s, grace 2 s: each hold covers 1 + 2 + 2 (margin) = 5 s.
    static let config = """
        sentinel:
          accrual_interval_seconds: 1
          kill_grace_seconds: 2
        """

    static var fakeEngine: String {
        SpendwallBinary.packageRoot.appendingPathComponent(".build/debug/spendwall-fake-engine").path
    }

    static func deploy(_ scratch: Scratch, model: String, budget: String, extra: [String] = [], engineArguments: [String] = []) throws -> [String: Any] {
        let childFile = scratch.file("child.pid").path
        let result = try SpendwallCommand.run(
            ["deploy", "--tenant", "acme", "--team", "ml", "--model", model, "--budget", budget, "--gpu", "l4", "--rate", "3.60",
             "--engine", "command", "--json"] + extra + ["--", fakeEngine, "--port", "{port}", "--model", "{model}", "--child-pid-file", childFile] + engineArguments,
            home: scratch.home
        )
        guard result.exitCode == 0, var status = jsonObject(result.stdout) else { throw HarnessError("deploy failed: \(result.stderr) \(result.stdout)") }
        for _ in 0..<100 where !FileManager.default.fileExists(atPath: childFile) { usleep(20_000) }
        status["child_pid"] = Int32((try? String(contentsOfFile: childFile, encoding: .utf8)) ?? "") ?? 0
        return status
    }

    static func status(_ scratch: Scratch, _ id: String) throws -> [String: Any] {
        let result = try SpendwallCommand.run(["status", id, "--json"], home: scratch.home)
        guard result.exitCode == 0, let object = jsonObject(result.stdout) else { throw HarnessError("status failed: \(result.stderr)") }
        return object
    }

    static func state(_ status: [String: Any]) -> String? { (status["deployment"] as? [String: Any])?["state"] as? String }

    static func waitForState(_ scratch: Scratch, _ id: String, _ wanted: Set<String>, timeout: Double) async throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let status = try status(scratch, id)
            if let state = state(status), wanted.contains(state) { return status }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw HarnessError("deployment \(id) did not reach \(wanted) in \(timeout) s: \(try status(scratch, id))")
    }

    static func alive(_ pid: Int32) -> Bool {
        guard pid > 0, let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = text.lastIndex(of: ")") else { return false }
        let state = text[text.index(close, offsetBy: 2)]
        return state != "Z" && state != "X"
    }

    @Test("deploy → healthy → requests routed and charged to the caller at the derived token price → budget exhausted: the engine and its child are gone within one interval plus the grace period, later requests get 503 deployment_stopped, and the ledger checks out")
    func deployServeExhaust() async throws {
        try await withGateway(configYAML: Self.config) { gateway, scratch in
            try await gateway.admin(.POST, "/tenants", json: ["id": "acme", "name": "Acme"])
            try await gateway.admin(.POST, "/teams", json: ["tenant": "acme", "id": "ml", "name": "ML"])
            let (_, secret) = try await gateway.makeKey(tenant: "acme", team: "ml", name: "app")
            // $3.60/h = $0.001 a second: $0.012 pays for 12 s; stopped once less than a 5 s hold is left.
            let deployed = try Self.deploy(scratch, model: "tiny-llm", budget: "0.012", engineArguments: ["--ready-after", "1"])
            let deployment = try #require(deployed["deployment"] as? [String: Any])
            let id = try #require(deployment["id"] as? String)
            let pid = try #require((deployment["pid"] as? NSNumber)?.int32Value)
            let child = try #require(deployed["child_pid"] as? Int32)
            #expect(Self.alive(pid) && Self.alive(child), "engine \(pid) and child \(child) run")

            let early = try await gateway.chat(secret: secret, extra: ["model": "tiny-llm"])
            if early.status != 200 { #expect(early.status == 503 && early.openAIErrorType == "deployment_starting", "\(early.text)") }
            _ = try await Self.waitForState(scratch, id, ["running"], timeout: 10)
            let answer = try await gateway.chat(secret: secret, maxTokens: 8, extra: ["model": "tiny-llm"])
            #expect(answer.status == 200, "\(answer.text)")
            #expect(((answer.object["usage"] as? [String: Any])?["completion_tokens"] as? Int) == 8)

            let started = Date()
            let ended = try await Self.waitForState(scratch, id, ["killed"], timeout: 20)
            let record = try #require(ended["deployment"] as? [String: Any])
            #expect(record["kill_reason"] as? String == "budget_exhausted")
            #expect(Date().timeIntervalSince(started) < 20)
            #expect(!Self.alive(pid) && !Self.alive(child), "the whole process group is gone")
            let gpuCost = try #require((ended["gpu_cost_nanodollars"] as? NSNumber)?.int64Value)
            #expect(gpuCost > 0 && gpuCost <= 12_000_000)
            #expect((ended["tokens_served"] as? NSNumber)?.int64Value ?? 0 > 0)

            let refused = try await gateway.chat(secret: secret, extra: ["model": "tiny-llm"])
            #expect(refused.status == 503 && refused.openAIErrorType == "deployment_stopped", "\(refused.text)")
            #expect(refused.errorMessage?.contains("budget_exhausted") == true)

            let rows = try await gateway.admin(.GET, "/ledger?tenant=acme&limit=1000").json as? [[String: Any]] ?? []
            let gpuRows = rows.filter { $0["endpoint"] as? String == "gpu_time" }
            let charged = gpuRows.compactMap { ($0["cost"] as? NSNumber)?.int64Value }.reduce(0, +)
            #expect(charged == gpuCost, "the gpu_time rows add up to the deployment's GPU cost")
            #expect(gpuRows.allSatisfy { $0["key_id"] as? String == id && $0["team_id"] as? String == "ml" })
            let apiRows = rows.filter { $0["endpoint"] as? String != "gpu_time" && $0["model"] as? String == "tiny-llm" && $0["status"] as? String == "settled" }
            #expect(apiRows.count == 1, "the caller's request is its own row, apart from the GPU time")
            let spend = try await gateway.admin(.GET, "/spend?tenant=acme&group_by=team").json as? [[String: Any]] ?? []
            let team = try #require(spend.first { $0["group"] as? String == "ml" }, "\(spend)")
            #expect((team["gpu_time_cost"] as? NSNumber)?.int64Value == gpuCost, "reports keep GPU time apart from request spend")
            #expect((team["requests"] as? NSNumber)?.int64Value == 1, "GPU-time rows are not requests")
            let check = try SpendwallCommand.run(["check-ledger"], home: scratch.home)
            #expect(check.exitCode == 0, "\(check.stdout) \(check.stderr)")
        }
    }

    @Test("kill by hand records who and why; status, deployments and the admin API agree; a second kill is refused; another tenant's token cannot see it")
    func killByHand() async throws {
        try await withGateway(configYAML: Self.config) { gateway, scratch in
            try await gateway.admin(.POST, "/tenants", json: ["id": "acme", "name": "Acme"])
            try await gateway.admin(.POST, "/teams", json: ["tenant": "acme", "id": "ml", "name": "ML"])
            try await gateway.admin(.POST, "/tenants", json: ["id": "rival", "name": "Rival"])
            let deployed = try Self.deploy(scratch, model: "tiny-llm", budget: "5")
            let id = try #require((deployed["deployment"] as? [String: Any])?["id"] as? String)
            let child = try #require(deployed["child_pid"] as? Int32)
            _ = try await Self.waitForState(scratch, id, ["running"], timeout: 10)

            let rivalToken = try await gateway.admin(.POST, "/admin-tokens", json: ["tenant": "rival", "name": "r"]).object["secret"] as? String ?? ""
            let hidden = try await HTTP.request(.GET, gateway.adminURL + "/admin/v1/deployments/\(id)", headers: [("authorization", "Bearer \(rivalToken)")])
            #expect(hidden.status == 404)

            let list = try SpendwallCommand.run(["deployments"], home: scratch.home)
            #expect(list.exitCode == 0 && list.stdout.contains(id) && list.stdout.contains("running"), "\(list.stdout)")
            let kill = try SpendwallCommand.run(["kill", id, "--reason", "overspend", "--by", "carol"], home: scratch.home)
            #expect(kill.exitCode == 0 && kill.stdout.contains("killed — overspend, by carol"), "\(kill.stdout) \(kill.stderr)")
            #expect(!Self.alive(child))
            let again = try SpendwallCommand.run(["kill", id, "--reason", "again"], home: scratch.home)
            #expect(again.exitCode != 0 && again.stderr.contains("already ended"), "\(again.stderr)")
            let missing = try SpendwallCommand.run(["status", "dep_000000000000"], home: scratch.home)
            #expect(missing.exitCode == 3, "\(missing.stderr)")
            let detail = try SpendwallCommand.run(["status", id], home: scratch.home)
            #expect(detail.stdout.contains("gpu cost:") && detail.stdout.contains("cost per 1M tokens: n/a (no tokens served yet)"), "\(detail.stdout)")
        }
    }

    @Test("a server killed with -9 and started again adopts the live engine (same pid), keeps charging it, and no second of GPU time is charged twice")
    func restartAdopts() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let config = try scratch.write("config.yaml", Self.config)
        let first = try GatewayProcess.launch(scratch, config: config)
        try await first.admin(.POST, "/tenants", json: ["id": "acme", "name": "Acme"])
        try await first.admin(.POST, "/teams", json: ["tenant": "acme", "id": "ml", "name": "ML"])
        let deployed = try Self.deploy(scratch, model: "tiny-llm", budget: "5")
        let deployment = try #require(deployed["deployment"] as? [String: Any])
        let id = try #require(deployment["id"] as? String)
        let pid = try #require((deployment["pid"] as? NSNumber)?.int32Value)
        defer { kill(-pid, SIGKILL) }
        _ = try await Self.waitForState(scratch, id, ["running"], timeout: 10)
        try await Task.sleep(for: .seconds(2))
        first.crash()
        #expect(Self.alive(pid), "the engine outlives the server")

        let second = try GatewayProcess.launch(scratch, config: config)
        defer { second.stop() }
        let adopted = try await Self.waitForState(scratch, id, ["running"], timeout: 10)
        #expect(((adopted["deployment"] as? [String: Any])?["pid"] as? NSNumber)?.int32Value == pid)
        try await Task.sleep(for: .seconds(2))
        let kill = try SpendwallCommand.run(["kill", id, "--reason", "test over", "--json"], home: scratch.home)
        let ended = try #require(jsonObject(kill.stdout), "\(kill.stderr)")
        let record = try #require(ended["deployment"] as? [String: Any])
        let rows = try await second.admin(.GET, "/ledger?tenant=acme&limit=1000").json as? [[String: Any]] ?? []
        let gpuRows = rows.filter { $0["endpoint"] as? String == "gpu_time" }
        #expect(gpuRows.contains { $0["status"] as? String == "expired" }, "the hold left by the killed server was charged in full once")
        // Charged time = the rows' total at $0.001/s; it must equal the accrual's own figure and
        // cover the engine's lifetime without overlap: at most its uptime plus one hold (5 s).
        let charged = gpuRows.compactMap { ($0["cost"] as? NSNumber)?.int64Value }.reduce(0, +)
        #expect(charged == (ended["gpu_cost_nanodollars"] as? NSNumber)?.int64Value)
        let uptime = (ended["uptime_ms"] as? NSNumber)?.int64Value ?? 0
        #expect(charged >= uptime * 1_000 - 1_000_000 && charged <= (uptime + 5_000) * 1_000, "charged \(charged) for \(uptime) ms")
        #expect(record["state"] as? String == "killed" && !Self.alive(pid))
        let check = try SpendwallCommand.run(["check-ledger"], home: scratch.home)
        #expect(check.exitCode == 0, "\(check.stdout) \(check.stderr)")
    }

    @Test("--foreground supervises without a server until the budget runs out, prints the figures and exits 6; GPU lookups answer from the shipped table")
    func foregroundAndLookup() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let config = try scratch.write("config.yaml", Self.config)
        let result = try SpendwallCommand.run(
            ["deploy", "--foreground", "--config", config, "--model", "tiny", "--budget", "0.008", "--gpu", "l4", "--rate", "3.60",
             "--engine", "command", "--", Self.fakeEngine, "--port", "{port}"],
            home: scratch.home, timeout: 30
        )
        #expect(result.exitCode == 6, "\(result.stdout) \(result.stderr)")
        #expect(result.stdout.contains("budget_exhausted") && result.stdout.contains("gpu_time rows"), "\(result.stdout)")

        let gpu = try SpendwallCommand.run(["lookup", "--gpu", "h100", "--budget", "5", "--json"], home: scratch.home)
        let offers = try #require((try? JSONSerialization.jsonObject(with: Data(gpu.stdout.utf8))) as? [[String: Any]], "\(gpu.stderr)")
        #expect(offers.count > 3 && offers.first?["cheapest"] as? Bool == true)
        let prices = offers.compactMap { Double($0["usd_per_gpu_hour"] as? String ?? "") }
        #expect(prices == prices.sorted(), "cheapest first")
        #expect(offers.allSatisfy { $0["gpu_hours_for_budget"] is NSNumber && ($0["source"] as? String)?.hasPrefix("https://") == true })
        let unknown = try SpendwallCommand.run(["lookup", "--gpu", "rtx-9090"], home: scratch.home)
        #expect(unknown.exitCode == 3 && unknown.stderr.contains("nvidia-h100"), "\(unknown.stderr)")
        let fit = try SpendwallCommand.run(["lookup", "--fit", "TinyLlama/TinyLlama-1.1B-Chat-v1.0"], home: scratch.home)
        #expect(fit.exitCode == 0 && fit.stdout.contains("1100000000 parameters") && fit.stdout.contains("cheapest at fp16"), "\(fit.stdout)")
    }
}
