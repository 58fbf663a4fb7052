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
    /// Retries of transient failures: how many, and the backoff between them.
    public var retry: RetryPolicy
    /// When to stop calling a backend that keeps failing, and when to try it again.
    public var circuitBreaker: CircuitBreaker.Configuration
    /// Called once per batch with what became of it.
    /// Runs on the pipeline's task: keep it short.
    public var onBatchResult: (@Sendable (BatchResult) -> Void)?
    /// Called for each failed export attempt.
    public var onExportError: (@Sendable (ExportAttemptFailure) -> Void)?
    /// Called when the circuit breaker changes state.
    public var onCircuitStateChange: (@Sendable (CircuitBreaker.StateChange) -> Void)?

    public init(
        maxBatchSize: Int = 512,
        interval: Duration = .seconds(1),
        exportTimeout: Duration = .seconds(30),
        shutdownTimeout: Duration = .seconds(5),
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
        self.retry = retry
        self.circuitBreaker = circuitBreaker
        self.onBatchResult = onBatchResult
        self.onExportError = onExportError
        self.onCircuitStateChange = onCircuitStateChange
    }

    /// Checks that every value is usable.
    public func validate() throws(TracezError) {
        guard maxBatchSize >= 1 else {
            throw .invalidConfiguration(field: "maxBatchSize", reason: "must be at least 1, got \(maxBatchSize)")
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
