import Foundation
import NIOHTTP1
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The web dashboard, read as HTML and in headless Chromium (Debian's `chromium`).
@Suite(.serialized) struct DashboardTests {
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// The `data-nanodollars` of the cell `field` in the table row `data-group="group"`.
    static func cell(_ html: String, group: String, field: String = "cost") -> Int64? {
        guard let row = html.range(of: "data-group=\"\(group)\"") else { return nil }
        let rest = html[row.upperBound...]
        guard let marker = rest.range(of: "data-field=\"\(field)\" data-nanodollars=\"") else { return nil }
        return Int64(rest[marker.upperBound...].prefix { $0.isNumber })
    }

    /// Runs Chromium headless to completion; returns standard output and error.
    static func runChromium(_ arguments: [String]) throws -> (String, String) {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("chromium-\(UUID().uuidString).out")
        let err = FileManager.default.temporaryDirectory.appendingPathComponent("chromium-\(UUID().uuidString).err")
        defer {
            try? FileManager.default.removeItem(at: out)
            try? FileManager.default.removeItem(at: err)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, out.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, err.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let argv = ([chromium!, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--enable-logging=stderr", "--v=0"] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = withCleanSpawnAttributes { attributes in posix_spawn(&pid, chromium!, &actions, &attributes, argv, environ) }
        guard spawned == 0 else { throw HarnessError("chromium did not start") }
        var status: Int32 = 0
        let deadline = Date().addingTimeInterval(90)
        while waitpid(pid, &status, WNOHANG) == 0 {
            if Date() > deadline {
                kill(pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                throw HarnessError("chromium did not finish in 90 s")
            }
            usleep(50_000)
        }
        return ((try? String(contentsOf: out, encoding: .utf8)) ?? "", (try? String(contentsOf: err, encoding: .utf8)) ?? "")
    }

    @Test("the dashboard needs an admin token, shows the API's figures (spend by model and provider, budgets, refusals, kills), loads in headless Chromium without console errors, and keeps a screenshot")
    func dashboard() async throws {
        try await withGateway { gateway, _ in
            let account = try await gateway.makeAccount("dash")
            _ = try await gateway.setBudget(tenant: account.tenant, scope: "team", scopeID: account.team, limitDollars: "0.0001", period: "daily")
            #expect(try await gateway.chat(secret: account.secret, maxTokens: 10).status == 200)
            #expect(try await gateway.chat(secret: account.secret, maxTokens: 4000).status == 402)
            let other = try await gateway.makeAccount("other")
            try await gateway.admin(.POST, "/blocks", json: ["scope": "team", "id": other.team, "reason": "runaway loop", "actor": "carol"])

            let anonymous = try await HTTP.request(.GET, gateway.adminURL + "/dashboard")
            #expect(anonymous.status == 401)
            let page = try await HTTP.request(.GET, gateway.adminURL + "/dashboard", headers: gateway.adminHeaders)
            #expect(page.status == 200 && page.headers.first(name: "content-type")?.hasPrefix("text/html") == true)
            let html = page.text
            let models = try await gateway.admin(.GET, "/spend?group_by=model").json as? [[String: Any]] ?? []
            let modelCost = (models.first { $0["group"] as? String == "gpt-4o-mini" }?["cost"] as? NSNumber)?.int64Value
            #expect(modelCost != nil && Self.cell(html, group: "gpt-4o-mini") == modelCost, "the model row equals /spend")
            let providers = try await gateway.admin(.GET, "/spend?group_by=provider").json as? [[String: Any]] ?? []
            #expect(Self.cell(html, group: "openai") == (providers.first?["cost"] as? NSNumber)?.int64Value)
            #expect(html.contains("data-budget=\"team-\(account.team)-daily\"") && html.contains("budget_exceeded") && html.contains("runaway loop"))
            #expect(html.contains("<svg") && html.contains("data-team=\"\(account.team)\""), "the chart has the team's spend")
            let tenCents = try await HTTP.request(.GET, gateway.adminURL + "/dashboard?bucket=10s", headers: gateway.adminHeaders)
            #expect(tenCents.status == 200 && tenCents.text.contains("data-team=\"\(account.team)\""), "the 10-second view reads the tumbling aggregation")
            #expect(try await HTTP.request(.GET, gateway.adminURL + "/dashboard?bucket=2w", headers: gateway.adminHeaders).status == 400)

            let tenantToken = try await gateway.admin(.POST, "/admin-tokens", json: ["tenant": account.tenant, "name": "finops"]).object["secret"] as? String ?? ""
            let scoped = try await HTTP.request(.GET, gateway.adminURL + "/dashboard", headers: [("authorization", "Bearer \(tenantToken)")])
            #expect(scoped.status == 200 && scoped.text.contains("tenant \(account.tenant)") && !scoped.text.contains("runaway loop"), "a tenant token sees its tenant only")

            guard Self.chromium != nil else {
                #expect(ProcessInfo.processInfo.environment["CI"] != "true", "CI installs chromium (scripts/test)")
                print("chromium is not installed: the headless browser part is skipped")
                return
            }
            let url = gateway.adminURL + "/dashboard?token=" + gateway.adminToken
            let (dom, log) = try Self.runChromium(["--virtual-time-budget=3000", "--dump-dom", url])
            #expect(dom.contains("id=\"models\"") && Self.cell(dom, group: "gpt-4o-mini") == modelCost, "the page loaded with the token's cookie: \(dom.prefix(300))")
            let consoleErrors = log.split(separator: "\n").filter { $0.contains("CONSOLE") || $0.contains("Uncaught") }
            #expect(consoleErrors.isEmpty, "console: \(consoleErrors)")
            let artifacts = SpendwallBinary.packageRoot.appendingPathComponent(".build/test-artifacts")
            try FileManager.default.createDirectory(at: artifacts, withIntermediateDirectories: true)
            let shot = artifacts.appendingPathComponent("dashboard.png")
            try? FileManager.default.removeItem(at: shot)
            _ = try Self.runChromium(["--window-size=1280,1400", "--screenshot=\(shot.path)", url])
            let size = (try? FileManager.default.attributesOfItem(atPath: shot.path)[.size] as? Int) ?? 0
            #expect(size > 10_000, "screenshot kept at \(shot.path)")
        }
    }
}
