import Testing

@testable import Tracez

@Suite(.timeLimit(.minutes(3))) struct RetryPolicyTests {
    /// 100 ms doubling up to 5 s: the ceilings are 0.1, 0.2, 0.4, 0.8, 1.6, 3.2, then 5 (capped), 5.
    private static let policy = RetryPolicy(maxAttempts: 9, initialDelay: .milliseconds(100), multiplier: 2, maxDelay: .seconds(5))

    private static func ceiling(beforeRetry retry: Int) -> Duration {
        min(policy.maxDelay, policy.initialDelay * (1 << (retry - 1)))
    }

    @Test(arguments: 1...8)
    func fullJitterStaysBetweenZeroAndTheExponentialCeiling(retry: Int) {
        var generator = SplitMix64(seed: 0x7472_6163_657A + UInt64(retry))
        let ceiling = Self.ceiling(beforeRetry: retry)
        let delays = (0..<500).map { _ in
            Self.policy.delay(beforeRetry: retry, retryAfter: nil, using: &generator)
        }
        #expect(delays.allSatisfy { $0 >= .zero && $0 <= ceiling })
        // Full jitter spreads over the whole range: 500 draws all in one half would be a broken draw.
        #expect(delays.contains { $0 > ceiling / 2 })
        #expect(delays.contains { $0 < ceiling / 2 })
        #expect(Set(delays).count > 1)
    }

    @Test func ceilingGrowsByTheMultiplierUntilMaxDelay() {
        // With a generator stuck at its top value, every draw sits at the ceiling.
        var generator = ConstantGenerator(value: .max)
        let delays = (1...8).map { Self.policy.delay(beforeRetry: $0, retryAfter: nil, using: &generator) }
        for (index, delay) in delays.enumerated() {
            let ceiling = Self.ceiling(beforeRetry: index + 1)
            #expect(delay <= ceiling)
            #expect(delay > ceiling * 0.99, "retry \(index + 1): \(delay) is not near its ceiling \(ceiling)")
        }
    }

    @Test func sameSeedGivesTheSameDelaysAndDifferentDrawsDiffer() {
        var first = SplitMix64(seed: 42)
        var second = SplitMix64(seed: 42)
        let a = (0..<20).map { _ in Self.policy.delay(beforeRetry: 4, retryAfter: nil, using: &first) }
        let b = (0..<20).map { _ in Self.policy.delay(beforeRetry: 4, retryAfter: nil, using: &second) }
        #expect(a == b)
        #expect(Set(a).count > 1)
    }

    @Test func retryAfterReplacesTheJitter() {
        var generator = SplitMix64(seed: 7)
        for retry in 1...8 {
            #expect(Self.policy.delay(beforeRetry: retry, retryAfter: .milliseconds(1500), using: &generator) == .milliseconds(1500))
        }
        // Longer than this retry's jitter ceiling (100 ms) but within maxDelay: honoured as sent.
        #expect(Self.policy.delay(beforeRetry: 1, retryAfter: .seconds(4), using: &generator) == .seconds(4))
        #expect(Self.policy.delay(beforeRetry: 3, retryAfter: .zero, using: &generator) == .zero)
    }

    @Test func retryAfterIsCappedAtMaxDelay() {
        var generator = SplitMix64(seed: 7)
        #expect(Self.policy.delay(beforeRetry: 1, retryAfter: .seconds(3600), using: &generator) == .seconds(5))
        #expect(Self.policy.delay(beforeRetry: 2, retryAfter: .seconds(3600)) == .seconds(5))
    }

    @Test func negativeRetryAfterBecomesZero() {
        var generator = SplitMix64(seed: 7)
        #expect(Self.policy.delay(beforeRetry: 1, retryAfter: .seconds(-10), using: &generator) == .zero)
        #expect(Self.policy.delay(beforeRetry: 5, retryAfter: .milliseconds(-1)) == .zero)
    }

    @Test func noneMakesASingleAttempt() {
        #expect(RetryPolicy.none.maxAttempts == 1)
    }

    @Test(arguments: [
        (RetryPolicy(maxAttempts: 0), "retry.maxAttempts"),
        (RetryPolicy(maxAttempts: -3), "retry.maxAttempts"),
        (RetryPolicy(multiplier: 0.5), "retry.multiplier"),
        (RetryPolicy(multiplier: .nan), "retry.multiplier"),
        (RetryPolicy(multiplier: .infinity), "retry.multiplier"),
        (RetryPolicy(initialDelay: .seconds(-1)), "retry.initialDelay"),
    ])
    func invalidPolicyIsRejectedByThePipeline(policy: RetryPolicy, field: String) throws {
        let error = #expect(throws: TracezError.self) {
            try ExportPipeline(
                collector: try Collector(),
                exporter: InMemoryExporter(),
                configuration: ExportConfiguration(retry: policy)
            )
        }
        guard let failure = error, failure.code == .invalidConfiguration, let reportedField = failure.field else {
            Issue.record("expected invalidConfiguration, got \(String(describing: error))")
            return
        }
        #expect(reportedField == field)
    }

    @Test func negativeMaxDelayIsRejectedUnderItsOwnField() throws {
        let error = #expect(throws: TracezError.self) {
            try ExportPipeline(
                collector: try Collector(),
                exporter: InMemoryExporter(),
                configuration: ExportConfiguration(retry: RetryPolicy(maxDelay: .milliseconds(-1)))
            )
        }
        guard let failure = error, failure.code == .invalidConfiguration, let field = failure.field else {
            Issue.record("expected invalidConfiguration, got \(String(describing: error))")
            return
        }
        // The error should point at the value to fix.
        #expect(field == "retry.maxDelay")
    }

    @Test func validEdgePoliciesAreAccepted() throws {
        for policy in [RetryPolicy.none, RetryPolicy(initialDelay: .zero, multiplier: 1, maxDelay: .zero)] {
            _ = try ExportPipeline(collector: try Collector(), exporter: InMemoryExporter(), configuration: ExportConfiguration(retry: policy))
        }
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014): a tiny seeded generator, so jitter tests are reproducible.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Always returns the same value: pins a random draw to one end of its range.
private struct ConstantGenerator: RandomNumberGenerator {
    let value: UInt64
    mutating func next() -> UInt64 { value }
}
