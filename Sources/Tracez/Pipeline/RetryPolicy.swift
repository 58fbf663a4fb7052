/// When to try a failed export again: exponential backoff with full jitter,
/// honouring the backend's `Retry-After`, for as long as ``maxElapsed`` allows.
///
/// The n-th retry waits a random time between zero and
/// `min(maxDelay, initialDelay * multiplier^(n-1))` ("full jitter", which spreads
/// many clients' retries instead of synchronising them). A `Retry-After` from
/// the backend replaces the random wait, capped at ``maxDelay``.
///
/// Retries are bounded by time, as the OpenTelemetry Collector's exporters bound them
/// (`retry_on_failure.max_elapsed_time`, 300 s there): a batch is given up when its next
/// retry would come later than ``maxElapsed`` after its first attempt. ``maxAttempts`` is an
/// extra cap, off by default.
public struct RetryPolicy: Sendable, Hashable {
    /// The longest time from a batch's first attempt to its last retry. Default 60 s.
    public var maxElapsed: Duration
    /// Export attempts per batch, the first one included, if set. 1 means never retry.
    /// Default `nil`: only ``maxElapsed`` bounds the retries.
    public var maxAttempts: Int?
    /// The longest random wait before the first retry. Default 1 s.
    public var initialDelay: Duration
    /// Default 2.
    public var multiplier: Double
    /// The longest wait, also the cap on `Retry-After`. Default 30 s.
    public var maxDelay: Duration

    public init(
        maxElapsed: Duration = .seconds(60),
        maxAttempts: Int? = nil,
        initialDelay: Duration = .seconds(1),
        multiplier: Double = 2,
        maxDelay: Duration = .seconds(30)
    ) {
        self.maxElapsed = maxElapsed
        self.maxAttempts = maxAttempts
        self.initialDelay = initialDelay
        self.multiplier = multiplier
        self.maxDelay = maxDelay
    }

    /// Never retry.
    public static let none = RetryPolicy(maxAttempts: 1)

    /// The wait before retry number `retry` (1 for the first retry).
    public func delay<G: RandomNumberGenerator>(
        beforeRetry retry: Int,
        retryAfter: Duration?,
        using generator: inout G
    ) -> Duration {
        if let retryAfter {
            return min(max(retryAfter, .zero), maxDelay)
        }
        let ceiling = ceiling(beforeRetry: retry)
        guard ceiling > 0 else { return .zero }
        return .nanoseconds(Int64(Double.random(in: 0...ceiling, using: &generator) * 1e9))
    }

    /// The same, with the system's random numbers. (No `inout` generator: Thread Sanitizer
    /// reports accesses to the zero-sized `SystemRandomNumberGenerator` as races.)
    public func delay(beforeRetry retry: Int, retryAfter: Duration?) -> Duration {
        if let retryAfter {
            return min(max(retryAfter, .zero), maxDelay)
        }
        let ceiling = ceiling(beforeRetry: retry)
        guard ceiling > 0 else { return .zero }
        return .nanoseconds(Int64(Double.random(in: 0...ceiling) * 1e9))
    }

    /// The longest random wait before retry number `retry`, in seconds.
    private func ceiling(beforeRetry retry: Int) -> Double {
        min(maxDelay.secondsAsDouble, initialDelay.secondsAsDouble * pow(multiplier, Double(max(retry - 1, 0))))
    }

    func validate() throws(TracezError) {
        if let maxAttempts, maxAttempts < 1 {
            throw .invalidConfiguration(field: "retry.maxAttempts", reason: "must be at least 1, got \(maxAttempts)")
        }
        guard maxElapsed >= .zero else {
            throw .invalidConfiguration(field: "retry.maxElapsed", reason: "must not be negative, got \(maxElapsed)")
        }
        guard initialDelay >= .zero else {
            throw .invalidConfiguration(field: "retry.initialDelay", reason: "must not be negative, got \(initialDelay)")
        }
        guard maxDelay >= .zero else {
            throw .invalidConfiguration(field: "retry.maxDelay", reason: "must not be negative, got \(maxDelay)")
        }
        guard multiplier.isFinite, multiplier >= 1 else {
            throw .invalidConfiguration(field: "retry.multiplier", reason: "must be a finite number of at least 1, got \(multiplier)")
        }
    }

    private func pow(_ base: Double, _ exponent: Double) -> Double {
        // Repeated multiplication keeps the core free of Foundation; exponents are small.
        var result = 1.0
        var remaining = Int(exponent)
        while remaining > 0, result < 1e12 {
            result *= base
            remaining -= 1
        }
        return result
    }
}
