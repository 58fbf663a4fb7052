/// The routine export round under way, if any, for whoever has news for its idle exports:
/// the collector's fill mark (a full batch is ready), the export interval, and shutdown.
///
/// Rounds take turns, so there is at most one. A class, so that the collector's callback and
/// the interval's timer can hold it without holding the pipeline.
///
/// Thread-safety: every method may be called from any task; one lock guards the reference.
final class CurrentRound: Sendable {
    private let round = SanitizedMutex<ExportRound?>(nil)

    /// Runs `body` with `exportRound` as the round under way.
    func during<Result>(_ exportRound: ExportRound, _ body: () async -> Result) async -> Result {
        round.withLock { $0 = exportRound }
        defer { round.withLock { $0 = nil } }
        return await body()
    }

    /// Wakes the round's idle exports, if a round is under way (see ``ExportRound/wake(mayTakePartialBatch:)``).
    func wake(mayTakePartialBatch: Bool = false) {
        round.withLock { $0 }?.wake(mayTakePartialBatch: mayTakePartialBatch)
    }
}
