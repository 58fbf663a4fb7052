import Synchronization

/// Resumes a continuation exactly once, from whichever side gets there first: the work,
/// the timer, or cancellation. ``withDeadline(_:clock:_:)`` races them through one of these.
///
/// Thread-safety: all methods may be called from any task; one lock guards the state.
/// It owns the continuation until the one call of ``resume(_:)`` that wins.
final class ResumeOnce<Value: Sendable>: Sendable {
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
