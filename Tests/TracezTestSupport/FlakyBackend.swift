extension TestBackend {
    /// How a flaky backend answers request number n, as issue 18 tried it: 30 % of requests
    /// answered 503, every 7th 429 with `Retry-After: 1`, the rest 200. Decided by `seed`, so a
    /// failing seed can be run again (which request gets which number still depends on timing).
    public static func flakyAnswers(seed: UInt64) -> @Sendable (Int) -> Reply {
        { number in
            if number % 7 == 6 { return .status(429, headers: [("Retry-After", "1")]) }
            return unitInterval(seed: seed, number) < 0.3 ? .status(503) : .status(200)
        }
    }

    /// A number in 0..<1 from the seed and the request number (SplitMix64's finaliser).
    static func unitInterval(seed: UInt64, _ number: Int) -> Double {
        var z = seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(number) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Double(z >> 11) / Double(1 << 53)
    }
}
