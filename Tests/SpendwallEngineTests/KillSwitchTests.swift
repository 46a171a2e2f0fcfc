import Logging
import SpendwallCore
import SpendwallEngine
import SpendwallStorage
import Synchronization
import Testing

/// A value shared between tasks.
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
    func withLock<T>(_ body: (inout Value) -> T) -> T { mutex.withLock { body(&$0) } }
    var value: Value { mutex.withLock { $0 } }
}

@Suite struct KillSwitchTests {
    struct Fixture {
        let store = InMemoryStore()
        let plane: ControlPlane

        init() {
            let clock = ManualWallClock(EnforcerTests.noon)
            let enforcer = Enforcer(
                store: store, catalog: CatalogHolder(PriceCatalog(version: "test", entries: [:])),
                clock: clock, holdLifetime: .seconds(600), logger: Logger(label: "test")
            )
            plane = ControlPlane(store: store, enforcer: enforcer, clock: clock, defaultTimeZone: "UTC")
        }

        func key(team: String, user: String? = nil) async throws -> KeyRecord {
            try await plane.createKey(ControlPlane.KeySpec(name: "k", tenant: "acme", team: team, user: user)).record
        }
    }

    @Test("a block refuses its scope's keys through the directory and cuts only its own live streams; unblocking lifts it")
    func blockCutsMatchingStreams() async throws {
        let fixture = Fixture()
        _ = try await fixture.plane.createTenant(id: "acme", name: "Acme")
        _ = try await fixture.plane.createTeam(tenantID: "acme", id: "research", name: "Research")
        _ = try await fixture.plane.createTeam(tenantID: "acme", id: "ops", name: "Ops")
        _ = try await fixture.plane.createUser(tenantID: "acme", teamID: "research", id: "ada", name: "Ada")
        let research = try await fixture.key(team: "research", user: "ada")
        let ops = try await fixture.key(team: "ops")

        let cutResearch = Locked<[String]>([]), cutOps = Locked<[String]>([])
        let first = fixture.plane.liveStreams.register(key: research) { block in cutResearch.withLock { $0.append(block.reason) } }
        _ = fixture.plane.liveStreams.register(key: ops) { block in cutOps.withLock { $0.append(block.reason) } }

        let blocked = try await fixture.plane.block(.user("ada"), reason: "left the company", actor: "alice")
        #expect(blocked.streamsCut == 1)
        #expect(cutResearch.value == ["left the company"] && cutOps.value.isEmpty)
        #expect(fixture.plane.directory.block(for: research)?.scope == .user("ada"))
        #expect(fixture.plane.directory.block(for: ops) == nil)

        // An unregistered stream is not cut again.
        fixture.plane.liveStreams.unregister(first)
        let tenantBlock = try await fixture.plane.block(.tenant("acme"), reason: "incident", actor: "alice")
        #expect(tenantBlock.streamsCut == 1 && cutOps.value == ["incident"])
        // The widest block is the one reported.
        #expect(fixture.plane.directory.block(for: research)?.scope == .tenant("acme"))

        _ = try await fixture.plane.unblock(.tenant("acme"), reason: "resolved", actor: "bob")
        _ = try await fixture.plane.unblock(.user("ada"), reason: "rehired", actor: "bob")
        #expect(fixture.plane.directory.block(for: research) == nil)
        #expect(try await fixture.store.auditLog(tenantID: "acme", limit: 10).map(\.action) == [.unblock, .unblock, .block, .block])
    }

    @Test("blocks need a reason and an actor, an existing tenant, team, user or key, and not a tag")
    func blockInputIsChecked() async throws {
        let fixture = Fixture()
        _ = try await fixture.plane.createTenant(id: "acme", name: "Acme")
        for (scope, reason, actor, code) in [
            (Scope.tenant("acme"), "", "alice", ConfigurationError.Code.invalidValue),
            (.tenant("acme"), "why", " ", .invalidValue),
            (.tag("feature:x"), "why", "alice", .invalidValue),
            (.team("nope"), "why", "alice", .notFound),
            (.key("key_nope"), "why", "alice", .notFound),
        ] {
            let error = await #expect(throws: ConfigurationError.self) { try await fixture.plane.block(scope, reason: reason, actor: actor) }
            #expect(error?.code == code, "\(scope) '\(reason)' '\(actor)'")
        }
        _ = try await fixture.plane.block(.tenant("acme"), reason: "  padded  ", actor: "alice")
        #expect(try await fixture.store.blocks(tenantID: nil).first?.reason == "padded")
        let twice = await #expect(throws: ConfigurationError.self) { try await fixture.plane.block(.tenant("acme"), reason: "again", actor: "bob") }
        #expect(twice?.code == .conflict && twice?.message.contains("padded") == true)
        let missing = await #expect(throws: ConfigurationError.self) { try await fixture.plane.unblock(.team("nope"), reason: "x", actor: "bob") }
        #expect(missing?.code == .notFound)
        #expect(try await fixture.store.auditLog(tenantID: nil, limit: 10).count == 1, "refused attempts are not logged")
    }
}
