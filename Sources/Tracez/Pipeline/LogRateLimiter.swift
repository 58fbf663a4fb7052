import Synchronization

/// Lets a log line of each kind through at most once per interval, and counts
/// what it held back, so a failing backend costs a line now and then, never one per batch.
///
/// Thread-safety: ``admit(_:now:)`` may be called from any task; one lock guards the counts.
/// Time is whatever the caller passes as `now` (the pipeline passes its clock's).
final class LogRateLimiter: Sendable {
    private let interval: Duration
    private let last = SanitizedMutex<[String: (at: ContinuousClock.Instant, suppressed: Int)]>([:])

    init(interval: Duration = .seconds(10)) {
        self.interval = interval
    }

    /// Whether to log `kind` now, and how many of its lines were held back since the last one.
    func admit(_ kind: String, now: ContinuousClock.Instant = .now) -> (log: Bool, suppressed: Int) {
        last.withLock { last in
            if let previous = last[kind], now < previous.at.advanced(by: interval) {
                last[kind] = (previous.at, previous.suppressed + 1)
                return (false, 0)
            }
            let suppressed = last[kind]?.suppressed ?? 0
            last[kind] = (now, 0)
            return (true, suppressed)
        }
    }
}
