/// Lets one export round run at a time, whoever starts it: the pipeline's loop,
/// a caller of `forceFlush()`, or a shutdown when the loop is not running.
///
/// Thread-safety: ``run(_:)`` may be called from any task. Waiters are served first come,
/// first served. Taking a turn never blocks a thread: a waiting caller suspends.
final class ExportTurns: Sendable {
    private let turn = ExportSlots(count: 1)

    /// Whether a caller waits for its turn (a flush, or shutdown's last drain).
    var hasWaiters: Bool { turn.hasWaiters }

    /// Runs `round` when it is this caller's turn.
    func run<Result: Sendable>(_ round: () async -> Result) async -> Result {
        await turn.withSlot(round)
    }
}
