import Foundation
import NIOHTTP1
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Several gateway replicas on one PostgreSQL database: one set of budgets, as if there were
/// one gateway.
extension EndToEnd.OnPostgres {
    /// Gateways on one database: the first runs the built-in simulator, the others send their
    /// OpenAI traffic to it, so its call log counts every upstream call of every replica.
    struct Replicas {
        var gateways: [GatewayProcess]
        var scratches: [Scratch]
        var databaseURL: String
        var first: GatewayProcess { gateways[0] }

        static func start(_ count: Int, extraConfig: String = "") async throws -> Replicas {
            let url = try await EndToEnd.OnPostgres.freshDatabase()
            var replicas = Replicas(gateways: [], scratches: [], databaseURL: url)
            do {
                let scratch = try Scratch()
                replicas.scratches.append(scratch)
                let config = try scratch.write("config.yaml", "database: \(url)\n\(extraConfig)")
                let first = try GatewayProcess.launch(scratch, config: config)
                replicas.gateways.append(first)
                for _ in 1..<count {
                    let scratch = try Scratch()
                    replicas.scratches.append(scratch)
                    let config = try scratch.write("config.yaml", """
                        database: \(url)
                        upstreams:
                          openai: { base_url: "\(first.simulatorURL)", api_key_env: REPLICA_UPSTREAM_KEY }
                        \(extraConfig)
                        """)
                    replicas.gateways.append(try GatewayProcess.launch(
                        scratch, config: config, environment: ["REPLICA_UPSTREAM_KEY": "sk-replica"], simulator: false
                    ))
                }
            } catch {
                await replicas.stop()
                throw error
            }
            return replicas
        }

        /// Runs `body` with `count` replicas, stopping them and dropping the database afterwards.
        static func with(_ count: Int, extraConfig: String = "", _ body: (Replicas) async throws -> Void) async throws {
            let replicas = try await start(count, extraConfig: extraConfig)
            do {
                try await body(replicas)
            } catch {
                await replicas.stop()
                throw error
            }
            await replicas.stop()
        }

        func stop() async {
            for gateway in gateways { gateway.stop() }
            for scratch in scratches { scratch.remove() }
            try? await EndToEnd.OnPostgres.dropDatabase(databaseURL)
        }

        /// `spendwall check-ledger` on the database: its exit code and output.
        func checkLedger() throws -> CommandResult {
            try SpendwallCommand.run(["check-ledger", "--database", databaseURL], home: scratches[0].home)
        }

        /// Waits (bounded) until no replica has a hold open or a ledger row queued.
        func quiesce(timeout: Double = 15) async throws {
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline {
                var busy = false
                for gateway in gateways where gateway.isRunning {
                    let status = try await gateway.status()
                    if status.openHolds > 0 { busy = true }
                }
                if !busy { return }
                try await Task.sleep(for: .milliseconds(50))
            }
            throw HarnessError("replicas still had open holds after \(timeout) s")
        }
    }

    @Test("three replicas, 96 concurrent clients, overlapping key ⊂ user ⊂ team ⊂ tenant budgets: no budget overspent, no deadlock, one ledger row per upstream call, check-ledger passes")
    func threeReplicasShareBudgets() async throws {
        try await Replicas.with(3) { replicas in
            let first = replicas.first
            // The hold of one request, measured on a tenant without budgets.
            let probe = try await first.makeAccount("probe")
            #expect(try await first.chat(secret: probe.secret, maxTokens: 40).status == 200)
            let hold = try #require(try await first.settled(rows: 1).first?.hold)

            try await first.admin(.POST, "/tenants", json: ["id": "acme", "name": "Acme"])
            for team in ["red", "blue"] { try await first.admin(.POST, "/teams", json: ["tenant": "acme", "id": team, "name": team]) }
            for (user, team) in [("ada", "red"), ("bob", "red"), ("cy", "blue")] {
                try await first.admin(.POST, "/users", json: ["tenant": "acme", "team": team, "id": user, "name": user])
            }
            var secrets: [String] = []
            var keyIDs: [String] = []
            for (name, team, user) in [("k1", "red", "ada"), ("k2", "red", "ada"), ("k3", "red", "bob"), ("k4", "blue", "cy")] {
                let (id, secret) = try await first.makeKey(tenant: "acme", team: team, name: name, extra: ["user": user])
                keyIDs.append(id)
                secrets.append(secret)
            }
            // Limits in holds: the tenant fits about 100 requests, the others fewer.
            let limits: [(scope: String, id: String?, holds: Int64)] = [
                ("tenant", nil, 100), ("team", "red", 70), ("user", "ada", 40), ("key", keyIDs[0], 20),
            ]
            for limit in limits {
                _ = try await first.setBudget(tenant: "acme", scope: limit.scope, scopeID: limit.id, limitDollars: dollars(nanos: hold * limit.holds))
            }
            // Every replica hears of the new keys and budgets (LISTEN/NOTIFY) within a second.
            try await Task.sleep(for: .seconds(1))

            let statuses = Locked<[Int: Int]>([:])
            let keySecrets = secrets
            try await withThrowingTaskGroup(of: Void.self) { group in
                for client in 0..<96 {
                    group.addTask {
                        let secret = keySecrets[client % keySecrets.count]
                        for attempt in 0..<4 {
                            let gateway = replicas.gateways[(client + attempt) % replicas.gateways.count]
                            let result = try await gateway.chat(secret: secret, stream: (client + attempt).isMultiple(of: 3), maxTokens: 40)
                            statuses.withLock { $0[result.status, default: 0] += 1 }
                        }
                    }
                }
                try await group.waitForAll()
            }
            let seen = statuses.withLock { $0 }
            #expect(Set(seen.keys).isSubset(of: [200, 402]), "only answers and budget refusals, no 503 (a deadlock or a lost connection): \(seen)")
            #expect((seen[200] ?? 0) >= 50 && (seen[402] ?? 0) > 0, "the budgets bound: \(seen)")

            try await replicas.quiesce()
            let ledger = try await first.ledger(tenant: "acme")
            let calls = try await first.simulatorCalls()
            #expect(ledger.count == calls.count - 1, "one ledger row per upstream call (the probe's row is in another tenant)")
            #expect(ledger.count == seen[200] ?? 0)
            #expect(Set(ledger.map(\.holdID)).count == ledger.count)

            // No scope spent past its limit: summed from the ledger rows themselves.
            let spentByKey = Dictionary(grouping: ledger, by: \.keyID).mapValues { $0.reduce(0) { $0 + $1.cost } }
            let spentByTeam = Dictionary(grouping: ledger, by: { $0.teamID ?? "" }).mapValues { $0.reduce(0) { $0 + $1.cost } }
            let ada = (spentByKey[keyIDs[0]] ?? 0) + (spentByKey[keyIDs[1]] ?? 0)
            #expect(ledger.reduce(0) { $0 + $1.cost } <= hold * 100)
            #expect((spentByTeam["red"] ?? 0) <= hold * 70)
            #expect(ada <= hold * 40)
            #expect((spentByKey[keyIDs[0]] ?? 0) <= hold * 20)

            let check = try replicas.checkLedger()
            #expect(check.exitCode == 0 && check.stdout.contains("ledger OK"), "\(check.stdout) \(check.stderr)")
        }
    }

    @Test("kill -9 of a replica mid-stream: after the holds expire another replica charges each in full, once; every upstream call has one ledger row and the budget holds")
    func replicaKilledMidStream() async throws {
        try await Replicas.with(2, extraConfig: "hold_lifetime_seconds: 3\nsimulator: { inter_chunk_delay_ms: 100 }\n") { replicas in
            let first = replicas.first
            let victim = replicas.gateways[1]
            let account = try await first.makeAccount("crash")
            _ = try await first.setBudget(tenant: account.tenant, scope: "tenant", scopeID: nil, limitDollars: "1")
            try await Task.sleep(for: .seconds(1))

            let started = Locked(0)
            let streams = (0..<6).map { _ in
                Task {
                    try? await HTTP.streamTolerant(
                        victim.dataURL + "/v1/chat/completions", headers: Dialect.openai.authHeaders(account.secret),
                        json: ["model": "gpt-4o-mini", "max_tokens": 300, "stream": true, "messages": [["role": "user", "content": "long"]]]
                    ) { _ in started.withLock { $0 += 1 } }
                }
            }
            try await waitFor("6 streams relayed") { started.value == 6 }
            victim.crash()
            for stream in streams { _ = await stream.value }
            // A request through the survivor settles normally beside them.
            #expect(try await first.chat(secret: account.secret).status == 200)

            // The dead replica's holds expire after 3 s; the survivor's reaper charges them.
            let deadline = Date().addingTimeInterval(15)
            var ledger: [LedgerRow] = []
            while Date() < deadline {
                ledger = try await first.ledger(tenant: account.tenant)
                if ledger.count == 7 { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            let calls = try await first.simulatorCalls()
            #expect(ledger.count == calls.count && calls.count == 7, "one row per upstream call: \(ledger.count) rows, \(calls.count) calls")
            #expect(ledger.filter { $0.status == "expired" }.count == 6)
            #expect(ledger.filter { $0.status == "expired" }.allSatisfy { $0.cost == $0.hold }, "an expired hold is charged in full")
            #expect(Set(ledger.map(\.holdID)).count == ledger.count)
            let budget = try #require(try await first.budgets(tenant: account.tenant).first)
            #expect(budget.spent == ledger.reduce(0) { $0 + $1.cost })
            #expect(budget.spent <= 1_000_000_000)
            let check = try replicas.checkLedger()
            #expect(check.exitCode == 0, "\(check.stdout) \(check.stderr)")
        }
    }

    @Test("a block, a revoked key, a changed budget and a tenant admin token made or revoked on one replica take effect on the others within a second")
    func changesReachEveryReplica() async throws {
        try await Replicas.with(2, extraConfig: "simulator: { inter_chunk_delay_ms: 100 }\n") { replicas in
            let (first, second) = (replicas.first, replicas.gateways[1])
            let account = try await first.makeAccount("feed")
            try await Task.sleep(for: .seconds(1))
            #expect(try await second.chat(secret: account.secret).status == 200, "a key created on the first replica works on the second")

            // A stream relayed by the second replica is cut by a block set on the first.
            let started = Locked(false)
            let cut = Task {
                try await HTTP.streamTolerant(
                    second.dataURL + "/v1/chat/completions", headers: Dialect.openai.authHeaders(account.secret),
                    json: ["model": "gpt-4o-mini", "max_tokens": 300, "stream": true, "messages": [["role": "user", "content": "long"]]]
                ) { _ in started.withLock { $0 = true } }
            }
            try await waitFor("the stream relayed") { started.value }
            try await Task.sleep(for: .milliseconds(300))
            let blockedAt = Date()
            try await first.admin(.POST, "/blocks", json: ["scope": "tenant", "id": account.tenant, "reason": "drill", "actor": "test"])
            let stream = try await cut.value
            #expect(Date().timeIntervalSince(blockedAt) < 1.5, "the stream on the other replica ended within a second")
            #expect(stream.text.contains("key_blocked"), "\(stream.text.suffix(300))")
            #expect(try await second.chat(secret: account.secret).status == 403)
            try await first.admin(.POST, "/unblocks", json: ["scope": "tenant", "id": account.tenant, "reason": "drill over", "actor": "test"])
            try await Task.sleep(for: .seconds(1))
            #expect(try await second.chat(secret: account.secret).status == 200)

            // A budget lowered on the first replica refuses on the second.
            _ = try await first.setBudget(tenant: account.tenant, scope: "tenant", scopeID: nil, limitDollars: "0")
            try await Task.sleep(for: .seconds(1))
            #expect(try await second.chat(secret: account.secret).status == 402)

            try await first.admin(.POST, "/keys/\(account.keyID)/revoke")
            try await Task.sleep(for: .seconds(1))
            #expect(try await second.chat(secret: account.secret).status == 401)

            // A tenant admin token made on one replica opens the other's admin API for its
            // tenant only, until it is revoked on the first.
            let created = try await first.admin(.POST, "/admin-tokens", json: ["tenant": account.tenant]).object
            let token = try #require(created["secret"] as? String)
            let tokenID = try #require((created["token"] as? [String: Any])?["id"] as? String)
            let keysOnSecond = { try await HTTP.request(.GET, second.adminURL + "/admin/v1/keys", headers: [("authorization", "Bearer \(token)")]) }
            try await Task.sleep(for: .seconds(1))
            #expect(try await keysOnSecond().status == 200)
            try await first.admin(.POST, "/admin-tokens/\(tokenID)/revoke")
            try await Task.sleep(for: .seconds(1))
            #expect(try await keysOnSecond().status == 401)
        }
    }
}

/// Polls `condition` every 20 ms; throws after `timeout` seconds.
func waitFor(_ what: String, timeout: Double = 10, _ condition: () async throws -> Bool) async throws {
    let deadline = Date().addingTimeInterval(timeout)
    while try await !condition() {
        guard Date() < deadline else { throw HarnessError("timed out after \(timeout) s waiting for \(what)") }
        try await Task.sleep(for: .milliseconds(20))
    }
}

extension EndToEnd {
    /// PostgreSQL stopped under load, on a server of the test's own.
    @Suite(.enabled(if: TemporaryPostgres.binaries != nil))
    struct DatabaseOutage {
        @Test("PostgreSQL stopped for 10 s under load: 503 with Retry-After, zero upstream calls during the outage, recovery without a restart, every settlement lands once")
        func outage() async throws {
            let database = try TemporaryPostgres()
            defer { database.remove() }
            try await withGateway(configYAML: "database: \(database.url)\n") { gateway, scratch in
                let account = try await gateway.makeAccount("outage")
                _ = try await gateway.setBudget(tenant: account.tenant, scope: "tenant", scopeID: nil, limitDollars: "5")

                // Each answer: when it came, its status, and whether it said when to retry.
                let answers = Locked<[(at: Date, status: Int, retryAfter: Bool)]>([])
                let running = Locked(true)
                let load = Task {
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for _ in 0..<8 {
                            group.addTask {
                                while running.value {
                                    let result = try await gateway.chat(secret: account.secret)
                                    answers.withLock { $0.append((Date(), result.status, result.headers.first(name: "retry-after") != nil)) }
                                    if result.status != 200 { try await Task.sleep(for: .milliseconds(50)) }
                                }
                            }
                        }
                        try await group.waitForAll()
                    }
                }
                try await Task.sleep(for: .seconds(1.5))
                try database.stop()
                let stoppedAt = Date()
                // What was already reserved finishes; after that nothing may reach the provider.
                try await Task.sleep(for: .milliseconds(500))
                let callsEarly = try await gateway.simulatorCalls().count
                try await Task.sleep(for: .seconds(9.5))
                let callsLate = try await gateway.simulatorCalls().count
                try database.start()
                let restartedAt = Date()
                try await waitFor("a request answered after the restart", timeout: 20) {
                    answers.value.contains { $0.at > restartedAt && $0.status == 200 }
                }
                running.withLock { $0 = false }
                try await load.value

                #expect(callsEarly == callsLate, "no upstream call while the database was down")
                let during = answers.value.filter { $0.at > stoppedAt.addingTimeInterval(3.5) && $0.at < restartedAt }
                #expect(!during.isEmpty && during.allSatisfy { $0.status == 503 && $0.retryAfter }, "\(during.map(\.status))")
                #expect(answers.value.contains { $0.at < stoppedAt && $0.status == 200 })

                // Settlements the database missed land once it is back, each once.
                try await waitFor("queued ledger rows landed and holds closed", timeout: 20) {
                    let status = try await gateway.status()
                    return status.unsettledLedgerRows == 0 && status.openHolds == 0
                }
                let ledger = try await gateway.ledger(tenant: account.tenant)
                let calls = try await gateway.simulatorCalls()
                #expect(Set(ledger.map(\.holdID)).count == ledger.count)
                #expect(ledger.count == calls.count, "one ledger row per upstream call")
                let check = try SpendwallCommand.run(["check-ledger", "--database", database.url], home: scratch.home)
                #expect(check.exitCode == 0 && check.stdout.contains("ledger OK"), "\(check.stdout) \(check.stderr)")
            }
        }

        @Test("fail_open_usd: while the database is down a replica admits requests up to its allowance, then fails closed; their rows land when it is back")
        func failOpenAllowance() async throws {
            let database = try TemporaryPostgres()
            defer { database.remove() }
            // Learn one request's hold, then allow three and a half of them.
            let hold = try await withGateway(configYAML: "database: \(database.url)\n") { gateway, _ in
                let account = try await gateway.makeAccount("probe")
                #expect(try await gateway.chat(secret: account.secret).status == 200)
                return try #require(try await gateway.settled(rows: 1).first?.hold)
            }
            let allowance = dollars(nanos: hold * 7 / 2)
            try await withGateway(configYAML: "database: \(database.url)\nfail_open_usd: \"\(allowance)\"\n") { gateway, _ in
                let account = try await gateway.makeAccount("open")
                try database.stop()
                var statuses: [Int] = []
                for _ in 0..<5 { statuses.append(try await gateway.chat(secret: account.secret).status) }
                #expect(statuses == [200, 200, 200, 503, 503], "three fit the allowance, then it fails closed")
                #expect(try await gateway.simulatorCalls().count == 3)
                // Their settlements cannot be written: queued.
                try await waitFor("the three ledger rows queued", timeout: 20) {
                    try await gateway.status().unsettledLedgerRows == 3
                }
                try database.start()
                try await waitFor("the rows admitted during the outage landed", timeout: 20) {
                    try await gateway.status().unsettledLedgerRows == 0
                }
                let ledger = try await gateway.ledger(tenant: account.tenant)
                #expect(ledger.count == 3 && ledger.allSatisfy { $0.status == "settled" })
                let back = try await gateway.chat(secret: account.secret)
                #expect(back.status == 200, "back to the database: \(back.text)")
            }
        }
    }
}
