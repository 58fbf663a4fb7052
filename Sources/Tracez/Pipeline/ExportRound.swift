import Synchronization

/// One export round shared out among its concurrent exports: how many records the round may
/// still drain, whether it has stopped (the circuit opened, or shutdown's last drain gave up),
/// and, while one of its batches waits for a retry, what its idle exports may send meanwhile.
///
/// A round runs up to ``ExportConfiguration/maxConcurrentExports`` exports at once, each on a
/// child task of the round that drains a batch, sends it and settles it before it drains the
/// next, so a ``DrainedBatch`` never leaves the task that drained it. This type is all they
/// share; the circuit breaker and the collector keep their own locks.
///
/// A routine round ends when its batches are settled, retries included, and the next round
/// starts only then. An export with nothing left to claim stays while a batch of the round is
/// unsettled, and is woken to send more (``topUp(buffered:batchSize:)``) when the collector
/// holds a full batch or the export interval passes:
/// - while the round's batches are in flight, full batches that arrived meanwhile, so that a
///   pipeline keeps up to `maxConcurrentExports` batches in flight under a steady load, whatever
///   the collector held when the round began (a round that took only that could send no more
///   than the collector's capacity per round trip, and the gap between two rounds, one round
///   trip with nothing sent, cost a full collector at every export interval);
/// - while a batch waits for a retry, full batches, and once the interval has passed what is
///   there, so that one batch's backoff does not hold up records that arrive meanwhile.
///
/// Thread-safety: every method may be called from any task; one lock guards the state.
final class ExportRound: Sendable {
    private struct State {
        /// Records the round may still drain: what the collector held when the round began,
        /// so records that arrive meanwhile wait for the next round and a busy collector cannot
        /// starve the mailbox. `Int.max` for shutdown's last drain, which takes everything.
        var remaining: Int
        var isStopped = false
        /// Batches of the round drained and not yet settled.
        var unsettled = 0
        /// Batches of the round waiting for a retry.
        var waitingForRetry = 0
        /// Whether the next top-up may take less than a full batch: the export interval passed.
        var mayTakePartialBatch = false
        /// Counts wake-ups, so that an export looks and then sleeps without missing one.
        var wakeUps = 0
        var sleepers: [CheckedContinuation<Void, Never>] = []
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
        wake()
    }

    // MARK: - Sending more while a batch waits for its retry

    /// Notes that an export drained a batch; ``batchSettled()`` when it is settled.
    func batchDrained() {
        state.withLock { $0.unsettled += 1 }
    }

    /// Notes that a batch of the round was settled (or put back, or set aside).
    func batchSettled() {
        let isLast = state.withLock { state -> Bool in
            state.unsettled -= 1
            return state.unsettled == 0
        }
        if isLast { wake() }  // idle exports end with the round
    }

    /// Notes that a batch of the round begins (`true`) or ends (`false`) a wait for its retry.
    func waitingForRetry(_ isWaiting: Bool) {
        state.withLock { $0.waitingForRetry += isWaiting ? 1 : -1 }
        if isWaiting { wake() }  // a full batch may be waiting already
    }

    /// Wakes the round's idle exports to look again: the collector holds a full batch, or
    /// (`mayTakePartialBatch`) the export interval passed, or something ended.
    func wake(mayTakePartialBatch: Bool = false) {
        let sleepers = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.wakeUps += 1
            if mayTakePartialBatch { state.mayTakePartialBatch = true }
            defer { state.sleepers = [] }
            return state.sleepers
        }
        sleepers.forEach { $0.resume() }
    }

    /// The count of wake-ups so far: read it before looking for work, and pass it to
    /// ``sleep(unlessWokenSince:)``.
    var wakeUps: Int { state.withLock { $0.wakeUps } }

    /// Whether an idle export stays for more: some batch of the round is still unsettled.
    var isUnderway: Bool { state.withLock { !$0.isStopped && $0.unsettled > 0 } }

    /// How many records an idle export may drain now, with `buffered` in the collector:
    /// - while a batch of the round waits for a retry, a full batch, or what is there once the
    ///   interval has passed (once per interval);
    /// - else, while a batch of the round is unsettled, a full batch;
    /// - else nothing: the next round takes them (a partial batch waits for the interval).
    ///
    /// The caller takes nothing while a flush or shutdown waits for the round, so a round under a
    /// steady load still ends when asked to.
    func topUp(buffered: Int, batchSize: Int) -> Int {
        state.withLock { state in
            guard !state.isStopped, buffered > 0 else { return 0 }
            guard state.waitingForRetry > 0 else {
                return state.unsettled > 0 && buffered >= batchSize ? batchSize : 0
            }
            if buffered >= batchSize { return batchSize }
            guard state.mayTakePartialBatch else { return 0 }
            state.mayTakePartialBatch = false
            return buffered
        }
    }

    /// Sleeps until the next wake-up, unless one came after `seen` (``wakeUps``).
    func sleep(unlessWokenSince seen: Int) async {
        await withCheckedContinuation { (sleeper: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { state -> Bool in
                guard state.wakeUps == seen, !state.isStopped, state.unsettled > 0 else { return true }
                state.sleepers.append(sleeper)
                return false
            }
            if resumeNow { sleeper.resume() }
        }
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
