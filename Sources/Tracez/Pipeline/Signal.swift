import Synchronization

/// A one-way switch that tasks can wait on: once fired, it stays fired and every
/// waiter resumes. The pipeline fires one when shutdown begins, to cut backoff waits short.
///
/// Thread-safety: every method may be called from any task; one lock guards the flag and
/// the waiters. Waiting suspends the task, never a thread.
final class Signal: Sendable {
    private let state = SanitizedMutex<(fired: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    var isFired: Bool { state.withLock { $0.fired } }

    func fire() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard !state.fired else { return [] }
            state.fired = true
            defer { state.waiters = [] }
            return state.waiters
        }
        waiters.forEach { $0.resume() }
    }

    func wait() async {
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state -> Bool in
                if state.fired { return true }
                state.waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    /// Sleeps for `duration` on `clock`, or less if the signal fires first.
    func sleep(for duration: Duration, clock: PipelineClock) async {
        guard duration > .zero, !isFired else { return }
        _ = await withDeadline(clock.now + duration, clock: clock) { await self.wait() }
    }
}
