import Foundation
import NIOHTTP1
import SpendwallCore
import Testing

extension EndToEnd {
    @Suite struct Crash {
        static let slowStreams = """
            simulator:
              first_byte_delay_ms: 0
              inter_chunk_delay_ms: 50
            """

        @Test("kill -9 mid-stream: after a restart every hold is charged exactly once, in full, and the budget matches the ledger")
        func killedGatewayChargesOpenHoldsOnce() async throws {
            let scratch = try Scratch()
            defer { scratch.remove() }
            let config = try scratch.write("slow.yaml", Self.slowStreams)
            let first = try GatewayProcess.launch(scratch, config: config)
            defer { first.stop() }

            let account = try await first.makeAccount("crash")
            let budgetID = try await first.setBudget(tenant: account.tenant, scope: "tenant", scopeID: nil, limitDollars: "10")
            // Two requests that finish before the crash.
            for _ in 0..<2 {
                let done = try await first.chat(secret: account.secret)
                #expect(done.status == 200)
            }
            let before = try await first.settled(rows: 2)
            #expect(before.count == 2)

            // Four slow streams, killed while they run.
            let streams = 4
            let startedIDs = Locked<[String]>([])
            let url = first.dataURL + "/v1/chat/completions"
            let headers = Dialect.openai.authHeaders(account.secret)
            let body: [String: Any] = ["model": "gpt-4o-mini", "max_tokens": 60, "stream": true,
                                       "messages": [["role": "user", "content": "A slow story please."]]]
            let bodyData = try JSONSerialization.data(withJSONObject: body)
            let clients = (0..<streams).map { _ in
                Task {
                    let json = try JSONSerialization.jsonObject(with: bodyData)
                    return try await HTTP.streamTolerant(url, headers: headers, json: json) { head in
                        if let id = head.requestID { startedIDs.withLock { $0.append(id) } }
                    }
                }
            }
            defer { for client in clients { client.cancel() } }
            let deadline = Date().addingTimeInterval(5)
            while Date() < deadline {
                let open = try await first.status().openHolds
                if open == streams && startedIDs.withLock({ $0.count }) == streams { break }
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(try await first.status().openHolds == streams, "the streams did not all hold before the crash")
            first.crash()
            for client in clients {
                let partial = try? await client.value
                #expect(partial?.text.contains("[DONE]") != true, "a stream finished before the crash; slow the simulator down")
            }
            let killedIDs = Set(startedIDs.withLock { $0 })
            #expect(killedIDs.count == streams)

            let second = try GatewayProcess.launch(scratch, config: config)
            defer { second.stop() }
            #expect(second.dataURL != first.dataURL || second.adminURL != first.adminURL || second.pid != first.pid)
            #expect(try await second.status().openHolds == 0)
            let rows = try await second.settled(rows: 2 + streams)
            #expect(rows.count == 2 + streams, "want one row per request that held: \(rows.map(\.status))")
            #expect(Set(rows.map(\.requestID)).count == rows.count, "duplicate ledger rows after the restart")
            for row in rows where killedIDs.contains(row.requestID) {
                #expect(row.status == "expired", "killed request \(row.requestID) settled as \(row.status)")
                #expect(row.cost == row.hold, "killed request charged \(row.cost) of its hold \(row.hold)")
                #expect(row.cost > 0)
            }
            #expect(Set(rows.filter { $0.status == "expired" }.map(\.requestID)) == killedIDs)
            #expect(Set(before.map(\.requestID)).isSubset(of: Set(rows.map(\.requestID))))
            for row in rows where !killedIDs.contains(row.requestID) {
                #expect(row.status == "settled")
            }
            let budget = try #require(try await second.budgets(tenant: account.tenant).first { $0.budget.id == budgetID })
            let ledgerSum = rows.reduce(Int64(0)) { $0 + $1.cost }
            #expect(budget.spent == ledgerSum, "budget spent \(budget.spent) vs ledger sum \(ledgerSum) after the restart")
            #expect(budget.held == 0)

            // A third start finds nothing left to recover: no new rows.
            second.stop()
            let third = try GatewayProcess.launch(scratch, config: config)
            defer { third.stop() }
            let again = try await third.settled(rows: rows.count)
            #expect(again.count == rows.count, "a second restart charged holds again")
        }

        @Test("a second gateway on the same SPENDWALL_HOME refuses to start and names the other process")
        func secondGatewayOnSameHomeIsRefused() async throws {
            try await withGateway { gateway, scratch in
                let second = try SpendwallCommand.run(
                    ["serve", "--simulator", "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0", "--json"],
                    home: scratch.home, timeout: 15
                )
                #expect(second.exitCode != 0)
                #expect(second.stderr.contains("another Spendwall process"), "stderr: \(second.stderr)")
                #expect(!second.stdout.contains("\"data\""), "the second gateway announced itself: \(second.stdout)")
                // The first one is unharmed.
                #expect(gateway.isRunning)
                #expect(try await gateway.status().openHolds == 0)
            }
        }
    }
}
