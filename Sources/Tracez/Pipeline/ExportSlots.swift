import Synchronization

/// A fixed number of slots that tasks take and give back, first come, first served: the
/// pipeline's requests in flight (``ExportConfiguration/maxConcurrentExports`` slots), and,
/// with one slot, its export rounds' turns (`ExportTurns`).
///
/// A batch holds a slot while it is being sent, not while it waits for its retry: the slot
/// goes to the next batch meanwhile, so one batch's backoff does not hold up the others.
/// Because waiters are served in order, batches that asked first (the buffered ones) go
/// before a retry that comes back later.
///
/// Thread-safety: every method may be called from any task; one lock guards the count and
/// the queue. Waiting for a slot suspends the task, never a thread.
final class ExportSlots: Sendable {
    private struct State {
        var free: Int
        var waiting: [CheckedContinuation<Void, Never>] = []
    }

    private let state: SanitizedMutex<State>

    /// `count` slots, all free.
    init(count: Int) {
        state = SanitizedMutex(State(free: count))
    }

    /// Takes a slot, waiting for one if none is free.
    func take() async {
        await withCheckedContinuation { (slot: CheckedContinuation<Void, Never>) in
            let granted = state.withLock { state -> Bool in
                guard state.free > 0 else {
                    state.waiting.append(slot)
                    return false
                }
                state.free -= 1
                return true
            }
            if granted { slot.resume() }
        }
    }

    /// Gives a slot back: to the first waiter, if any.
    func give() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard !state.waiting.isEmpty else {
                state.free += 1
                return nil
            }
            return state.waiting.removeFirst()  // the slot passes straight on
        }
        next?.resume()
    }

    /// Whether a task waits for a slot.
    var hasWaiters: Bool { state.withLock { !$0.waiting.isEmpty } }

    /// Runs `body` holding a slot.
    func withSlot<Result: Sendable>(_ body: () async -> Result) async -> Result {
        await take()
        defer { give() }
        return await body()
    }
}
