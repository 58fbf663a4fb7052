import Synchronization
import Tracez

/// A wait that a test gave up on: what it waited for, and how long.
public struct TimeLimitExceeded: Error, CustomStringConvertible {
    public let what: String
    public let limit: Duration

    public var description: String { "\(what): not done within \(limit)" }
}

/// Runs `body`, and throws ``TimeLimitExceeded`` naming `what` if it has not finished within
/// `limit`, so that a regression (an export that ignores cancellation, a shutdown that waits
/// forever) fails the test in seconds with a message instead of hanging CI.
///
/// The body runs in a task of its own and is cancelled at the limit; the test stops waiting for
/// it at once, even if it ignores the cancellation. Limits are generous safety nets, never a
/// measurement: speed belongs in `Benchmarks/`.
public func withTimeLimit<T: Sendable>(
    _ limit: Duration,
    _ what: String,
    _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
        let waiter = Waiter(continuation)
        let work = Task {
            let result: Result<T, any Error>
            do { result = .success(try await body()) } catch { result = .failure(error) }
            waiter.resume(with: result)
        }
        Task {
            try? await Task.sleep(for: limit)
            if waiter.resume(with: .failure(TimeLimitExceeded(what: what, limit: limit))) { work.cancel() }
        }
    }
}

/// A continuation resumed once, by whichever of the work and the timer finishes first.
private final class Waiter<T: Sendable>: Sendable {
    private let continuation: SanitizedMutex<CheckedContinuation<T, any Error>?>

    init(_ continuation: CheckedContinuation<T, any Error>) {
        self.continuation = SanitizedMutex(continuation)
    }

    /// Whether this call resumed it.
    @discardableResult
    func resume(with result: Result<T, any Error>) -> Bool {
        guard let continuation = continuation.withLock({ $0.take() }) else { return false }
        continuation.resume(with: result)
        return true
    }
}

/// Waits until `condition` holds, checking every millisecond (after `whileWaiting`, if given),
/// and throws ``TimeLimitExceeded`` naming `what` if it still does not after `limit`: a bounded
/// replacement for `while !condition { await Task.yield() }`.
public func waitUntil(
    _ what: String,
    limit: Duration = .seconds(30),
    _ condition: @Sendable () -> Bool,
    whileWaiting: @Sendable () async -> Void = {}
) async throws {
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: limit)
    while !condition() {
        guard clock.now < deadline else { throw TimeLimitExceeded(what: what, limit: limit) }
        try await Task.sleep(for: .milliseconds(1))
        await whileWaiting()
    }
}
