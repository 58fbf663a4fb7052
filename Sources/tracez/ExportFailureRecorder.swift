import Synchronization
import Tracez

/// Keeps why the demo's exports last failed, for the one line it prints about it.
///
/// Fed by ``ExportConfiguration/onExportError`` (each failed attempt, with the exporter's
/// reason: "could not reach the backend: connection refused", "rejected by backend with
/// status 401: …") and ``ExportConfiguration/onBatchResult`` (for a batch whose records were
/// refused without a failed attempt being reported). Reasons come from the exporters, which
/// keep secrets out of them. Safe to call from any task.
final class ExportFailureRecorder: Sendable {
    private struct State {
        var lastReason: String?
        /// Whether an attempt of the batch in flight reported its failure.
        var batchReported = false
    }

    private let state = SanitizedMutex(State())

    var lastReason: String? { state.withLock { $0.lastReason } }

    func record(_ failure: ExportAttemptFailure) {
        state.withLock {
            $0.lastReason = failure.reason
            $0.batchReported = true
        }
    }

    func record(_ result: BatchResult) {
        state.withLock { state in
            defer { state.batchReported = false }
            let refused = result.dropped[.rejectedByBackend]
            guard refused > 0, !state.batchReported else { return }
            state.lastReason =
                refused == result.records
                ? "the backend refused all \(refused) records of a batch"
                : "the backend refused \(refused) of the \(result.records) records of a batch"
        }
    }

    /// `configuration` with this recorder added to its callbacks (any already set still run).
    func observing(_ configuration: ExportConfiguration) -> ExportConfiguration {
        var configuration = configuration
        let onExportError = configuration.onExportError
        let onBatchResult = configuration.onBatchResult
        configuration.onExportError = { [self] failure in
            record(failure)
            onExportError?(failure)
        }
        configuration.onBatchResult = { [self] result in
            record(result)
            onBatchResult?(result)
        }
        return configuration
    }
}
