import Synchronization
import Tracez

/// A clock that stands still until a test moves it, so tests drive backoff, timeouts and the
/// circuit breaker's pause without sleeping and without asserting on real time.
///
/// Its instants are `ContinuousClock.Instant`s (it starts at the real clock's `now` when it is
/// made), so code that takes deadlines of that type can run on it unchanged.
///
/// A task that sleeps on it resumes when ``advance(by:)`` or ``advance(to:)`` moves the clock to
/// or past its deadline, or when it is cancelled. ``advanceToNextSleeper(within:)`` waits for a
/// sleeper and moves the clock to it: a test uses it to let short waits (a backoff) pass at once
/// while long ones (an export timeout) never fire.
///
/// Thread-safety: every method may be called from any task; one lock guards the state.
public final class ManualClock: Clock, Sendable {
    public typealias Instant = ContinuousClock.Instant
    public typealias Duration = Swift.Duration

    private struct Sleeper {
        let id: Int
        let deadline: Instant
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now: Instant
        var nextID = 0
        var sleepers: [Sleeper] = []
        /// Tasks in `advanceToNextSleeper(within:)` waiting for someone to sleep.
        /// Each is resumed with `nil` ("look again") when a task starts sleeping.
        var watchers: [(id: Int, continuation: CheckedContinuation<Instant?, any Error>)] = []
    }

    private let state: SanitizedMutex<State>

    public init(now: Instant = .now) {
        state = SanitizedMutex(State(now: now))
    }

    public var now: Instant { state.withLock { $0.now } }

    public var minimumResolution: Duration { .zero }

    /// How many tasks are sleeping on the clock.
    public var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        let id = state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let (resumeNow, watchers) = state.withLock { state -> (Result<Void, any Error>?, [CheckedContinuation<Instant?, any Error>]) in
                    if Task.isCancelled { return (.failure(CancellationError()), []) }
                    if deadline <= state.now { return (.success(()), []) }
                    state.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    defer { state.watchers = [] }
                    return (nil, state.watchers.map(\.continuation))
                }
                watchers.forEach { $0.resume(returning: nil) }
                if let resumeNow { continuation.resume(with: resumeNow) }
            }
        } onCancel: {
            let sleeper = state.withLock { state -> Sleeper? in
                guard let index = state.sleepers.firstIndex(where: { $0.id == id }) else { return nil }
                return state.sleepers.remove(at: index)
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves the clock forward by `duration` and wakes every sleeper whose deadline it reaches.
    public func advance(by duration: Duration) {
        advance(to: now + duration)
    }

    /// Moves the clock to `instant` (never backwards) and wakes every sleeper whose deadline it reaches.
    public func advance(to instant: Instant) {
        let due = state.withLock { state -> [Sleeper] in
            state.now = max(state.now, instant)
            let now = state.now
            let due = state.sleepers.filter { $0.deadline <= now }
            state.sleepers.removeAll { $0.deadline <= now }
            return due
        }
        due.forEach { $0.continuation.resume() }
    }

    /// Waits until some task sleeps until no later than `now + limit`, then moves the clock to
    /// the earliest such deadline (waking that sleeper). Sleepers further away are left asleep.
    /// Throws `CancellationError` if the calling task is cancelled while it waits.
    public func advanceToNextSleeper(within limit: Duration) async throws {
        while true {
            try Task.checkCancellation()
            let id = state.withLock { state in
                defer { state.nextID += 1 }
                return state.nextID
            }
            let next: Instant? = try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Instant?, any Error>) in
                    let found = state.withLock { state -> Instant?? in
                        if Task.isCancelled { return .some(nil) }
                        let horizon = state.now + limit
                        if let earliest = state.sleepers.map(\.deadline).filter({ $0 <= horizon }).min() {
                            return .some(earliest)
                        }
                        state.watchers.append((id, continuation))
                        return nil
                    }
                    if let found { continuation.resume(returning: found) }
                }
            } onCancel: {
                let watcher = state.withLock { state -> CheckedContinuation<Instant?, any Error>? in
                    guard let index = state.watchers.firstIndex(where: { $0.id == id }) else { return nil }
                    return state.watchers.remove(at: index).continuation
                }
                watcher?.resume(throwing: CancellationError())
            }
            if let next {
                advance(to: next)
                return
            }
            try Task.checkCancellation()
        }
    }
}

extension ManualClock {
    /// Runs `body` while a helper task lets every wait of at most `limit` pass as soon as it
    /// starts (see ``advanceToNextSleeper(within:)``): backoff before a retry happens at once,
    /// while longer waits (an export timeout, the export interval) never come due.
    public func lettingShortWaitsPass<Value: Sendable>(
        within limit: Duration = .seconds(1),
        _ body: () async throws -> Value
    ) async throws -> Value {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                while true { try await self.advanceToNextSleeper(within: limit) }
            }
            defer { group.cancelAll() }
            return try await body()
        }
    }
}
