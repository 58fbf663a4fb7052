import Metrics
import Synchronization

/// The pipeline's self-observability through swift-metrics. Names are listed in Docs/Reliability.md.
///
/// Counters are fed from the collector's statistics after each export round, by
/// difference, so the span hot path never touches a metric. With no metrics backend
/// bootstrapped, swift-metrics hands out no-op handlers and this costs nothing.
/// Bootstrap `MetricsSystem` before creating pipelines: handlers are bound at creation.
///
/// Thread-safety: every method may be called from any task; the metric handlers are
/// thread-safe, and the last statistics reported are kept behind a lock.
final class PipelineMetrics: Sendable {
    private let recorded: Counter
    private let exported: Counter
    private let dropped: [DropReason: Counter]
    let batchesSent: Counter
    let batchesFailed: Counter
    let retries: Counter
    let batchDuration: Metrics.Timer
    private let buffered: Gauge
    private let fillRatio: Gauge
    private let circuitState: Gauge
    /// What span limits cut, by kind: `attribute`, `event`, `link` (dropped), `value` (truncated).
    private let limited: [String: Counter]
    private let last = SanitizedMutex<CollectorStatistics?>(nil)

    init(collector: String) {
        let dimensions = [("collector", collector)]
        recorded = Counter(label: "tracez_spans_recorded_total", dimensions: dimensions)
        exported = Counter(label: "tracez_spans_exported_total", dimensions: dimensions)
        var dropped: [DropReason: Counter] = [:]
        for reason in DropReason.allCases {
            dropped[reason] = Counter(label: "tracez_spans_dropped_total", dimensions: dimensions + [("reason", reason.rawValue)])
        }
        self.dropped = dropped
        batchesSent = Counter(label: "tracez_batches_sent_total", dimensions: dimensions)
        batchesFailed = Counter(label: "tracez_batches_failed_total", dimensions: dimensions)
        retries = Counter(label: "tracez_export_retries_total", dimensions: dimensions)
        batchDuration = Metrics.Timer(label: "tracez_batch_duration_seconds", dimensions: dimensions, preferredDisplayUnit: .seconds)
        buffered = Gauge(label: "tracez_collector_buffered", dimensions: dimensions)
        fillRatio = Gauge(label: "tracez_collector_fill_ratio", dimensions: dimensions)
        circuitState = Gauge(label: "tracez_circuit_state", dimensions: dimensions)
        var limited: [String: Counter] = [:]
        for kind in ["attribute", "event", "link"] {
            limited[kind] = Counter(label: "tracez_span_limit_dropped_total", dimensions: dimensions + [("kind", kind)])
        }
        limited["value"] = Counter(label: "tracez_span_limit_truncated_total", dimensions: dimensions)
        self.limited = limited
    }

    /// Brings the counters and gauges up to date with `statistics`.
    func report(_ statistics: CollectorStatistics) {
        let previous = last.withLock { last -> CollectorStatistics? in
            defer { last = statistics }
            return last
        }
        let before =
            previous
            ?? CollectorStatistics(
                name: statistics.name, recorded: 0, exported: 0, dropped: DropCounts(), buffered: 0, inFlight: 0, capacity: statistics.capacity
            )
        if statistics.recorded > before.recorded { recorded.increment(by: statistics.recorded - before.recorded) }
        if statistics.exported > before.exported { exported.increment(by: statistics.exported - before.exported) }
        for reason in DropReason.allCases where statistics.dropped[reason] > before.dropped[reason] {
            dropped[reason]?.increment(by: statistics.dropped[reason] - before.dropped[reason])
        }
        let cut = statistics.spanLimits
        let cutBefore = before.spanLimits
        let kinds: [(kind: String, now: Int, then: Int)] = [
            ("attribute", cut.droppedAttributes, cutBefore.droppedAttributes), ("event", cut.droppedEvents, cutBefore.droppedEvents),
            ("link", cut.droppedLinks, cutBefore.droppedLinks), ("value", cut.truncatedValues, cutBefore.truncatedValues),
        ]
        for (kind, now, then) in kinds where now > then {
            limited[kind]?.increment(by: now - then)
        }
        buffered.record(statistics.buffered)
        fillRatio.record(Double(statistics.buffered) / Double(max(statistics.capacity, 1)))
    }

    func report(_ state: CircuitBreaker.State) {
        circuitState.record(state.rawValue)
    }
}
