import SpendwallEngine
import Testing

@Suite struct VirtualKeyTests {
    @Test func generatedKeysHaveThePrefixAndValidate() {
        let key = VirtualKey.generate()
        #expect(key.secret.hasPrefix("sw-"))
        #expect(key.secret.count == 3 + 43 + 4)
        #expect(VirtualKey(presented: key.secret) == key)
        #expect(key.secretHash.count == 64)
        #expect(!key.hint.contains(String(key.secret.dropFirst(3).prefix(10))))
    }

    @Test func everySingleCharacterTypoIsCaughtByTheChecksumOrTheShape() {
        let key = VirtualKey.generate().secret
        var caught = 0
        var tried = 0
        for index in key.indices.dropFirst(3) {
            var typo = key
            let replacement: Character = key[index] == "a" ? "b" : "a"
            typo.replaceSubrange(index...index, with: String(replacement))
            tried += 1
            if VirtualKey(presented: typo) == nil { caught += 1 }
        }
        // A 4-character base62 checksum lets about 1 in 14.8 million typos through.
        #expect(caught == tried)
    }

    @Test func hashIsLowercaseHexSHA256() {
        #expect(VirtualKey.hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(VirtualKey.hash("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func keysAreUniqueAndMalformedOnesAreRefused() {
        let keys = Set((0..<200).map { _ in VirtualKey.generate().secret })
        #expect(keys.count == 200)
        #expect(VirtualKey(presented: "sk-proj-123") == nil)
        #expect(VirtualKey(presented: "sw-") == nil)
        #expect(VirtualKey(presented: "") == nil)
    }
}
