/// What one ``ExportPipeline`` is doing at one moment: its collector's counters and fill, its
/// circuit breaker, its last failure, its next retry and its exports in flight. For dashboards such as the `/tracez`
/// page; read it with ``ExportPipeline/status``.
///
/// A value: the parts are read one after another, not under one lock, so a record may move
/// between them while the status is taken. ``statistics`` alone is always balanced.
public struct ExportPipelineStatus: Sendable {
    /// The collector's counters: recorded, exported, dropped by reason, pending.
    public let statistics: CollectorStatistics
    public let fillLevel: FillLevel
    public let circuitState: CircuitBreaker.State
    /// The last failed export attempt, if any failed since the pipeline was made.
    public let lastFailure: ExportAttemptFailure?
    /// How long before this status the last failure happened.
    public let sinceLastFailure: Duration?
    /// How long until a batch that waits for a retry is sent again (the first of them, when
    /// several do); `nil` when none waits.
    public let untilNextRetry: Duration?
    /// Batches between drain and settlement: being sent, or waiting for a retry (at most
    /// ``ExportConfiguration/maxConcurrentExports`` of them sending). After a shutdown
    /// whose deadline passed, exports the backend never answered still count here, though the
    /// collector has already counted their records as dropped.
    public let exportsInFlight: Int
}

/// The pipeline's recent activity, kept for ``ExportPipelineStatus``.
struct PipelineActivity {
    var lastFailure: ExportAttemptFailure?
    var lastFailureAt: ContinuousClock.Instant?
    /// When each batch that waits for a retry is due, one entry per batch.
    var retriesDue: [ContinuousClock.Instant] = []

    /// The first retry due, if a batch waits for one.
    var nextRetryAt: ContinuousClock.Instant? { retriesDue.min() }

    /// Forgets one batch's retry, due at `instant`, once the wait is over.
    mutating func removeRetry(due instant: ContinuousClock.Instant) {
        if let index = retriesDue.firstIndex(of: instant) { retriesDue.remove(at: index) }
    }
}

extension ExportPipeline {
    /// What the pipeline is doing now. Takes the collector's lock and the pipeline's own, briefly.
    public var status: ExportPipelineStatus {
        let now = clock.now
        let activity = self.activity.withLock { $0 }
        return ExportPipelineStatus(
            statistics: collector.statistics,
            fillLevel: collector.fillLevel,
            circuitState: circuitBreaker.currentState,
            lastFailure: activity.lastFailure,
            sinceLastFailure: activity.lastFailureAt.map { now < $0 ? .zero : $0.duration(to: now) },
            untilNextRetry: activity.nextRetryAt.map { now < $0 ? now.duration(to: $0) : .zero },
            exportsInFlight: exportsInFlight.load(ordering: .relaxed)
        )
    }
}
