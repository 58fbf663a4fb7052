import Foundation

/// A small seeded random number generator (SplitMix64), so a randomized test that fails can
/// be run again with the same values from its seed.
///
/// Thread-safety: a value; each test owns its own.
public struct SplitMix: RandomNumberGenerator {
    public var state: UInt64

    public init(state: UInt64) {
        self.state = state
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension SplitMix {
    /// A generator and its seed: `TRACEZ_TEST_SEED` when set (to replay a failure), else a new
    /// random one. A test puts the seed in its failure messages.
    public static func seeded() -> (SplitMix, seed: UInt64) {
        let seed = ProcessInfo.processInfo.environment["TRACEZ_TEST_SEED"].flatMap { UInt64($0) } ?? UInt64.random(in: 0...UInt64.max)
        return (SplitMix(state: seed), seed)
    }
}
