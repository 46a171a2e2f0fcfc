/// The deterministic vocabulary of simulated answers.
///
/// Word 0 of every answer is ``marker``, so every simulated text begins `[simulated]`; the rest are
/// drawn from a fixed list by a hash of the request body. One word is one output token.
enum WordSource {
    /// The first word of every simulated answer.
    static let marker = "[simulated]"

    static let words: [String] = [
        "budget", "token", "gateway", "ledger", "reserve", "settle", "stream", "model",
        "prompt", "answer", "cost", "cap", "window", "request", "upstream", "provider",
        "simulated", "careful", "quiet", "steady", "bright", "amber", "river", "stone",
        "cloud", "signal", "harbor", "lantern", "meadow", "orbit", "pixel", "quartz",
        "ribbon", "summit", "timber", "velvet", "willow", "zephyr", "anchor", "beacon",
        "cedar", "delta", "ember", "falcon", "garnet", "hollow", "island", "juniper",
        "kernel", "lotus", "marble", "nectar", "onyx", "prism", "quill", "rally",
        "saffron", "tundra", "umber", "vertex", "wander", "yonder", "zenith", "alpine",
    ]

    /// Word `position` of choice `choice` of the answer seeded by `seed`.
    static func word(seed: UInt64, choice: Int, position: Int) -> String {
        if position == 0 { return marker }
        let mixed = SimulatorHash.mix(seed &+ UInt64(truncatingIfNeeded: choice) &* 0x9E37_79B9 &+ UInt64(truncatingIfNeeded: position))
        return words[Int(mixed % UInt64(words.count))]
    }

    /// Words `range` of a choice, each preceded by a space except the very first word.
    static func text(seed: UInt64, choice: Int, range: Range<Int>) -> String {
        var text = ""
        text.reserveCapacity(range.count * 8)
        for position in range {
            if position > 0 { text += " " }
            text += word(seed: seed, choice: choice, position: position)
        }
        return text
    }
}

/// Cheap, stable hashing for seeding simulated answers (not for security).
enum SimulatorHash {
    /// FNV-1a over `bytes`.
    static func fnv1a(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x100_0000_01B3
        }
        return hash
    }

    /// SplitMix64 finaliser: spreads the bits of `value`.
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
