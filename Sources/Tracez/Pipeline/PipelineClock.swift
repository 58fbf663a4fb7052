/// The time source of an export pipeline: what it reads as "now", and how it sleeps.
///
/// Every wait and every timestamp of the pipeline goes through one of these: the export
/// interval, each export's timeout, backoff before a retry, the shutdown deadline, the
/// ``CircuitBreaker``'s pause and the log rate limit. In production it is `ContinuousClock`;
/// tests inject a manual clock (any `Clock` whose instants are `ContinuousClock.Instant`s,
/// so deadlines given to the public API keep their type) and move time by hand instead of
/// sleeping.
///
/// Thread-safety: a value type of two `@Sendable` functions; use it from any task.
struct PipelineClock: Sendable {
    private let readNow: @Sendable () -> ContinuousClock.Instant
    private let sleepUntil: @Sendable (ContinuousClock.Instant) async throws -> Void

    /// Wraps `clock`.
    init<C: Clock>(_ clock: C) where C.Instant == ContinuousClock.Instant {
        readNow = { clock.now }
        sleepUntil = { try await clock.sleep(until: $0, tolerance: nil) }
    }

    /// The real clock.
    static let continuous = PipelineClock(ContinuousClock())

    var now: ContinuousClock.Instant { readNow() }

    /// Suspends until `deadline`. Throws `CancellationError` if the task is cancelled first.
    func sleep(until deadline: ContinuousClock.Instant) async throws {
        try await sleepUntil(deadline)
    }

    /// Suspends for `duration`. Throws `CancellationError` if the task is cancelled first.
    func sleep(for duration: Duration) async throws {
        try await sleepUntil(readNow() + duration)
    }
}
