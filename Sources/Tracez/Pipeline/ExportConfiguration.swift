/// How an ``ExportPipeline`` batches, times, retries and reports its exports. Every field has a default.
///
/// The names follow the OpenTelemetry batch span processor (`OTEL_BSP_*`);
/// Docs/Reliability.md lists each beside its equivalents in other tracing SDKs.
public struct ExportConfiguration: Sendable {
    /// Records per export call. OTel `OTEL_BSP_MAX_EXPORT_BATCH_SIZE` (default 512).
    /// The pipeline also exports as soon as a collector holds this many.
    public var maxBatchSize: Int
    /// Time between exports of whatever is waiting. OTel `OTEL_BSP_SCHEDULE_DELAY`
    /// (5 s there). Default 1 s, so traces show up promptly.
    public var interval: Duration
    /// Longest one export call may take before it is cancelled and counted as a failed attempt.
    /// OTel `OTEL_BSP_EXPORT_TIMEOUT` (default 30 s).
    public var exportTimeout: Duration
    /// How long graceful shutdown (from a `ServiceGroup`) may spend sending what is left.
    public var shutdownTimeout: Duration
    /// Batches the pipeline may be sending at once, from 1 to ``maxConcurrentExportsLimit``.
    /// Default 4.
    ///
    /// A batch waiting for its retry is not sending: it gives its turn to the next batch, so one
    /// batch's backoff does not hold up the others (up to four times this many batches may be in
    /// flight, most of them waiting).
    ///
    /// A pipeline's throughput is at most this many ``maxBatchSize`` batches per round trip to
    /// the backend, so a distant or slow backend needs more than one. The batches in flight share
    /// the pipeline's ``retry`` policy and ``circuitBreaker`` (failures of all of them count
    /// towards opening it, and a half-open circuit sees one probe at a time), each counts as
    /// pending until it is settled, and shutdown counts those still in flight at its deadline as
    /// ``DropReason/shutdownDeadline``, each record once.
    ///
    /// Ordering across batches is not promised: with more than 1, the exporter may be called
    /// for several batches at once (it must be safe for that, as a `Sendable` exporter is), a
    /// later batch may reach the backend before an earlier one, and batches put back while the
    /// circuit is open may be sent again in another order. With 1, batches go one at a time,
    /// oldest records first, and the exporter never sees concurrent calls from its pipeline
    /// (a batch retried at shutdown may then come after newer ones).
    /// OpenTelemetry defines no environment variable for this.
    ///
    /// The exporter must be able to send that many at once: the HTTP exporters' transport opens up
    /// to 64 connections to a backend by default (`AsyncHTTPClientTransport.Configuration`), the
    /// gRPC exporter sends every call as a stream of one HTTP/2 connection.
    public var maxConcurrentExports: Int
    /// Retries of transient failures: for how long (``RetryPolicy/maxElapsed``), and the
    /// backoff between them.
    public var retry: RetryPolicy
    /// When to stop calling a backend that keeps failing, and when to try it again.
    public var circuitBreaker: CircuitBreaker.Configuration
    /// Called once per batch with what became of it.
    /// Runs on the task of the batch's export: keep it short. With ``maxConcurrentExports``
    /// above 1, it may be called from several tasks at once, as may the two callbacks below.
    public var onBatchResult: (@Sendable (BatchResult) -> Void)?
    /// Called for each failed export attempt.
    public var onExportError: (@Sendable (ExportAttemptFailure) -> Void)?
    /// Called when the circuit breaker changes state (once per change, however many
    /// exports are in flight).
    public var onCircuitStateChange: (@Sendable (CircuitBreaker.StateChange) -> Void)?

    public init(
        maxBatchSize: Int = 512,
        interval: Duration = .seconds(1),
        exportTimeout: Duration = .seconds(30),
        shutdownTimeout: Duration = .seconds(5),
        maxConcurrentExports: Int = 4,
        retry: RetryPolicy = RetryPolicy(),
        circuitBreaker: CircuitBreaker.Configuration = CircuitBreaker.Configuration(),
        onBatchResult: (@Sendable (BatchResult) -> Void)? = nil,
        onExportError: (@Sendable (ExportAttemptFailure) -> Void)? = nil,
        onCircuitStateChange: (@Sendable (CircuitBreaker.StateChange) -> Void)? = nil
    ) {
        self.maxBatchSize = maxBatchSize
        self.interval = interval
        self.exportTimeout = exportTimeout
        self.shutdownTimeout = shutdownTimeout
        self.maxConcurrentExports = maxConcurrentExports
        self.retry = retry
        self.circuitBreaker = circuitBreaker
        self.onBatchResult = onBatchResult
        self.onExportError = onExportError
        self.onCircuitStateChange = onCircuitStateChange
    }

    /// The most ``maxConcurrentExports`` may be: far more batches in flight than any backend
    /// serves at once from one process, so a larger value is a mistake, not a need.
    public static let maxConcurrentExportsLimit = 1024

    /// Checks that every value is usable.
    public func validate() throws(TracezError) {
        guard maxBatchSize >= 1 else {
            throw .invalidConfiguration(field: "maxBatchSize", reason: "must be at least 1, got \(maxBatchSize)")
        }
        guard (1...Self.maxConcurrentExportsLimit).contains(maxConcurrentExports) else {
            throw .invalidConfiguration(
                field: "maxConcurrentExports",
                reason: "must be from 1 to \(Self.maxConcurrentExportsLimit), got \(maxConcurrentExports)"
            )
        }
        for (field, value) in [("interval", interval), ("exportTimeout", exportTimeout), ("shutdownTimeout", shutdownTimeout)] {
            guard value > .zero else {
                throw .invalidConfiguration(field: field, reason: "must be positive, got \(value)")
            }
        }
        try retry.validate()
        try circuitBreaker.validate()
    }
}
