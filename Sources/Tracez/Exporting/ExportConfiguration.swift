/// How an ``ExportPipeline`` batches and times its exports. Every field has a default.
///
/// The names follow the OpenTelemetry batch span processor (`OTEL_BSP_*`) and
/// the Langfuse SDKs' flush settings, noted on each field.
public struct ExportConfiguration: Sendable, Hashable {
    /// Records per export call. OTel `OTEL_BSP_MAX_EXPORT_BATCH_SIZE` (default 512);
    /// Langfuse `flushAt`. The pipeline also exports as soon as a collector holds this many.
    public var maxBatchSize: Int = 512
    /// Time between exports of whatever is waiting. OTel `OTEL_BSP_SCHEDULE_DELAY`
    /// (5 s there); Langfuse `flushInterval` (1 s). Default 1 s, so traces show up promptly.
    public var interval: Duration = .seconds(1)
    /// Longest one export may take before it is cancelled and counted as failed.
    /// OTel `OTEL_BSP_EXPORT_TIMEOUT` (default 30 s).
    public var exportTimeout: Duration = .seconds(30)
    /// How long graceful shutdown (from a `ServiceGroup`) may spend sending what is left.
    public var shutdownTimeout: Duration = .seconds(5)

    public init() {}

    public init(
        maxBatchSize: Int = 512,
        interval: Duration = .seconds(1),
        exportTimeout: Duration = .seconds(30),
        shutdownTimeout: Duration = .seconds(5)
    ) {
        self.maxBatchSize = maxBatchSize
        self.interval = interval
        self.exportTimeout = exportTimeout
        self.shutdownTimeout = shutdownTimeout
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
    }
}
