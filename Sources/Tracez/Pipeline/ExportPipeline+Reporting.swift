import Logging

// What the pipeline tells the outside: circuit changes (metric, callback, log), failed
// attempts (callback), and rate-limited warnings.
//
// Thread-safety: called from whichever task runs an export round; the callbacks run on it.

extension ExportPipeline {
    func report(_ change: CircuitBreaker.StateChange?) {
        guard let change else { return }
        metrics.report(change.to)
        configuration.onCircuitStateChange?(change)
        logger.notice("circuit breaker changed state", metadata: ["from": "\(change.from)", "to": "\(change.to)"])
    }

    /// Tells `onExportError` and ``status`` of a failed attempt, unless shutdown cut it short: an
    /// attempt that ends after shutdown's deadline, or that shutdown cancelled, failed because it
    /// was stopped (a transport reports that as a time-out), which says nothing about the backend.
    /// (The deadline's own timer and the attempt's fire at the same instant, in either order.)
    func notifyFailure(attempt: Int, records: Int, reason: String, willRetry: Bool) {
        guard shutdownState() != .pastDeadline, !Task.isCancelled else { return }
        let failure = ExportAttemptFailure(collector: collector.name, attempt: attempt, records: records, reason: reason, willRetry: willRetry)
        let now = clock.now
        activity.withLock {
            $0.lastFailure = failure
            $0.lastFailureAt = now
        }
        configuration.onExportError?(failure)
    }

    /// At most one line per kind every 10 s, however often the backend fails.
    func logFailure(_ kind: String, _ message: Logger.Message, _ metadata: Logger.Metadata) {
        let (admitted, suppressed) = logLimiter.admit(kind, now: clock.now)
        guard admitted else { return }
        var metadata = metadata
        if suppressed > 0 { metadata["suppressed"] = "\(suppressed)" }
        logger.warning(message, metadata: metadata)
    }
}
