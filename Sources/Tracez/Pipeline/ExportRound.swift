import Synchronization

/// One export round shared out among its concurrent exports: how many records the round may
/// still drain, and whether it has stopped (the circuit opened, or shutdown's last drain gave up).
///
/// A round runs up to ``ExportConfiguration/maxConcurrentExports`` exports at once, each on a
/// child task of the round that drains a batch, sends it and settles it before it drains the
/// next, so a ``DrainedBatch`` never leaves the task that drained it. This type is all they
/// share; the circuit breaker and the collector keep their own locks.
///
/// Thread-safety: every method may be called from any task; one lock guards the state.
final class ExportRound: Sendable {
    private struct State {
        /// Records the round may still drain: what the collector held when the round began,
        /// so records that arrive meanwhile wait for the next round and a busy collector cannot
        /// starve the mailbox. `Int.max` for shutdown's last drain, which takes everything.
        var remaining: Int
        var isStopped = false
    }

    private let state: SanitizedMutex<State>
    /// Fired when a batch of the round got through, or when the round stopped: exports that
    /// held back while the circuit was open go on, or end.
    private let backendAnswered = Signal()

    /// A round that drains at most `records` records.
    init(records: Int) {
        state = SanitizedMutex(State(remaining: records))
    }

    /// Tasks a round may run per sending slot: enough that batches waiting for their retries
    /// leave others to send, few enough that a round does not start a task per batch.
    static let tasksPerSendingSlot = 4

    /// How many exports to start for a round of `records` records in batches of `batchSize`:
    /// one per batch, at most `limit`, and at least one.
    static func exports(forRecords records: Int, batchSize: Int, limit: Int) -> Int {
        let batches = records / batchSize + (records % batchSize == 0 ? 0 : 1)
        return max(1, min(limit, batches))
    }

    /// Takes up to `batchSize` of the records the round may still drain, for the caller to
    /// drain now; 0 once the round is over.
    func claim(batchSize: Int) -> Int {
        state.withLock { state in
            guard !state.isStopped else { return 0 }
            let claimed = min(batchSize, state.remaining)
            state.remaining -= claimed
            return claimed
        }
    }

    /// Returns records claimed but not drained, for another export of the round to take.
    func giveBack(_ records: Int) {
        state.withLock { state in
            if state.remaining <= Int.max - records { state.remaining += records }
        }
    }

    /// Ends the round: exports finish the batch they hold and drain no more.
    func stop() {
        state.withLock { $0.isStopped = true }
        backendAnswered.fire()
    }

    /// Whether the round has ended.
    var isStopped: Bool { state.withLock { $0.isStopped } }

    /// Notes that a batch of the round got through: the backend is answering.
    func noteBatchGotThrough() {
        backendAnswered.fire()
    }

    /// Whether a batch of the round got through (or the round stopped).
    var hasBackendAnswered: Bool { backendAnswered.isFired }

    /// Waits until a batch of the round gets through, or the round stops.
    func waitUntilBackendAnswers() async {
        await backendAnswered.wait()
    }
}
