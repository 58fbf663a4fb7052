import Synchronization

/// What a deadline-bound operation came to.
enum DeadlineOutcome<Value: Sendable>: Sendable {
    case finished(Result<Value, any Error>)
    case timedOut
}

/// Runs `operation` until it finishes or `deadline` passes, whichever comes first.
///
/// At the deadline the operation is cancelled and this returns `.timedOut` at
/// once, even if the operation ignores cancellation: it runs on in the
/// background and its result is discarded. This is what keeps a hung backend
/// from hanging shutdown; structured concurrency would wait for the child.
func withDeadline<Value: Sendable>(
    _ deadline: ContinuousClock.Instant,
    _ operation: @escaping @Sendable () async throws -> Value
) async -> DeadlineOutcome<Value> {
    let once = ResumeOnce<DeadlineOutcome<Value>>()
    return await withTaskCancellationHandler {
        await withCheckedContinuation { continuation in
            once.arm(continuation)
            let work = Task {
                let result: Result<Value, any Error>
                do { result = .success(try await operation()) } catch { result = .failure(error) }
                once.resume(.finished(result))
            }
            let timer = Task {
                try? await Task.sleep(until: deadline, clock: .continuous)
                if once.resume(.timedOut) { work.cancel() }
            }
            once.onResume { timer.cancel() }
            once.onCancel { work.cancel() }
        }
    } onCancel: {
        once.cancel()
    }
}

/// Resumes a continuation exactly once, from whichever side gets there first.
private final class ResumeOnce<Value: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<Value, Never>?
        var finished = false
        var cancelled = false
        var afterResume: [@Sendable () -> Void] = []
        var onCancel: [@Sendable () -> Void] = []
    }

    private let state = SanitizedMutex(State())

    func arm(_ continuation: CheckedContinuation<Value, Never>) {
        state.withLock { $0.continuation = continuation }
    }

    /// Returns whether this call was the one that resumed.
    @discardableResult
    func resume(_ value: Value) -> Bool {
        let taken = state.withLock { state -> (CheckedContinuation<Value, Never>, [@Sendable () -> Void])? in
            guard !state.finished, let continuation = state.continuation else { return nil }
            state.finished = true
            state.continuation = nil
            defer { state.afterResume = [] }
            return (continuation, state.afterResume)
        }
        guard let (continuation, actions) = taken else { return false }
        continuation.resume(returning: value)
        actions.forEach { $0() }
        return true
    }

    func onResume(_ action: @escaping @Sendable () -> Void) {
        let runNow = state.withLock { state -> Bool in
            if state.finished { return true }
            state.afterResume.append(action)
            return false
        }
        if runNow { action() }
    }

    func onCancel(_ action: @escaping @Sendable () -> Void) {
        let runNow = state.withLock { state -> Bool in
            if state.cancelled { return true }
            state.onCancel.append(action)
            return false
        }
        if runNow { action() }
    }

    func cancel() {
        let actions = state.withLock { state -> [@Sendable () -> Void] in
            state.cancelled = true
            defer { state.onCancel = [] }
            return state.onCancel
        }
        actions.forEach { $0() }
    }
}
