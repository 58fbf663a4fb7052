import Synchronization

/// Lets one export round run at a time, whoever starts it: the pipeline's loop,
/// a caller of `forceFlush()`, or a shutdown when the loop is not running.
///
/// Thread-safety: ``run(_:)`` may be called from any task. Waiters are served first come,
/// first served. Taking a turn never blocks a thread: a waiting caller suspends.
final class ExportTurns: Sendable {
    private struct State {
        var isTaken = false
        var waiting: [CheckedContinuation<Void, Never>] = []
    }

    private let state = SanitizedMutex(State())

    /// Runs `round` when it is this caller's turn.
    func run<Result: Sendable>(_ round: () async -> Result) async -> Result {
        await take()
        defer { give() }
        return await round()
    }

    private func take() async {
        await withCheckedContinuation { (turn: CheckedContinuation<Void, Never>) in
            let granted = state.withLock { state -> Bool in
                guard state.isTaken else {
                    state.isTaken = true
                    return true
                }
                state.waiting.append(turn)
                return false
            }
            if granted { turn.resume() }
        }
    }

    private func give() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard !state.waiting.isEmpty else {
                state.isTaken = false
                return nil
            }
            return state.waiting.removeFirst()  // the turn passes straight on: isTaken stays true
        }
        next?.resume()
    }
}
