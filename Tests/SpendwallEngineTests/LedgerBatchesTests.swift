import SpendwallCore
@testable import SpendwallEngine
import SpendwallStorage
import Testing

@Suite("Ledger batches")
struct LedgerBatchesTests {
    static func row(_ hold: String) -> LedgerEntry {
        LedgerEntry(
            requestID: "r-\(hold)", holdID: hold, keyID: "k", tenantID: "acme", teamID: nil, userID: nil, tags: [], provider: .openai,
            model: "gpt-4o-mini", endpoint: "/v1/chat/completions", usage: .zero, rates: TokenRates(input: 0, output: 0), catalogVersion: "v",
            cost: .zero, listCost: .zero, hold: .zero, status: .settled, upstreamStatus: 200, upstreamID: nil, latencyMillis: 0,
            startedAt: 0, finishedAt: 0, shares: []
        )
    }

    @Test("a lone row gets a writer at once; rows arriving while every writer is busy wait and go together, oldest first")
    func batching() {
        var batches = LedgerBatches(writers: 2, batchSize: 3)
        func add(_ hold: String) -> Bool { batches.add(Self.row(hold)) }
        func next() -> [String]? { batches.next()?.map(\.holdID) }
        #expect(add("a"), "a writer is free")
        #expect(add("b"), "the second writer is free")
        #expect(!add("c"), "both writers busy: the row waits")
        // The two writers take what waits: the first takes everything (here, up to 3 rows).
        #expect(next() == ["a", "b", "c"])
        for hold in ["d", "e", "f", "g"] { #expect(!add(hold)) }
        #expect(next() == ["d", "e", "f"], "at most batchSize rows")
        #expect(next() == ["g"])
        #expect(batches.busyWriters == 2)
        #expect(next() == nil, "nothing waits: this writer stops")
        #expect(batches.busyWriters == 1)
        #expect(add("h"), "a writer slot is free again: a writer starts")
        #expect(next() == ["h"])
        #expect(next() == nil)
        #expect(next() == nil)
        #expect(batches.busyWriters == 0)
        #expect(add("i"), "no writer left: a new one starts")
    }
}
