@testable import SpendwallServer
import Testing

@Suite struct CredentialAndRequestIDTests {
    @Test func bearerTokenAcceptsAnyCaseAndTrimsBlanks() {
        #expect(ClientCredential.bearerToken("Bearer sw-abc") == "sw-abc")
        #expect(ClientCredential.bearerToken("bEaReR sw-abc") == "sw-abc")
        #expect(ClientCredential.bearerToken("BEARER \t sw-abc \t") == "sw-abc")
        #expect(ClientCredential.bearerToken("Bearer    ") == "")
    }

    @Test func bearerTokenRefusesOtherSchemes() {
        #expect(ClientCredential.bearerToken("Bearer") == nil)
        #expect(ClientCredential.bearerToken("Bearer ") == nil)
        #expect(ClientCredential.bearerToken("Basic dXNlcjpwYXNz") == nil)
        #expect(ClientCredential.bearerToken("Bearer\u{0}sw-abc") == nil)
        #expect(ClientCredential.bearerToken("Bearers sw-abc") == nil)
        #expect(ClientCredential.bearerToken("sw-abc") == nil)
    }

    @Test func requestIDsAreUniqueAndWellFormed() {
        let ids = (0..<10_000).map { _ in RequestID.make() }
        #expect(Set(ids).count == ids.count)
        let hexDigits = Set("0123456789abcdef")
        for id in ids.prefix(100) {
            #expect(id.hasPrefix("req_") && id.count == 28 && id.dropFirst(4).allSatisfy(hexDigits.contains), "\(id)")
        }
        // One random block prefix, counted within.
        #expect(Set(ids.map { $0.prefix(20) }).count == 1)
    }
}
