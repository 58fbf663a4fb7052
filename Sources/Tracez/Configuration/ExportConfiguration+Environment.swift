extension ExportConfiguration {
    /// Reads the OpenTelemetry batch span processor variables (`OTEL_BSP_*`), as other OTel SDKs do.
    ///
    /// Unset or empty variables keep this type's defaults (which differ from OTel's only in
    /// ``interval``: 1 s here, 5 s there, so traces show up promptly):
    ///
    /// | variable | field | unit |
    /// | --- | --- | --- |
    /// | `OTEL_BSP_SCHEDULE_DELAY` | ``interval`` | milliseconds, more than 0 |
    /// | `OTEL_BSP_MAX_EXPORT_BATCH_SIZE` | ``maxBatchSize`` | records, at least 1 |
    /// | `OTEL_BSP_EXPORT_TIMEOUT` | ``exportTimeout`` | milliseconds, more than 0 |
    ///
    /// `OTEL_BSP_MAX_QUEUE_SIZE` is the collector's capacity: see
    /// ``CollectorConfiguration/init(name:environment:)``. ``maxConcurrentExports`` has no
    /// variable (OpenTelemetry defines none) and keeps its default here. Values follow the one vocabulary of
    /// every Tracez module (`Docs/Concepts.md`).
    ///
    /// - Throws: ``TracezError/invalidEnvironmentVariable(name:value:reason:)`` naming the variable.
    public init(environment: [String: String]) throws(TracezError) {
        self.init()
        let reader = EnvironmentReader(environment)
        if let delay = try reader.milliseconds("OTEL_BSP_SCHEDULE_DELAY", atLeast: 1) { interval = delay }
        if let size = try reader.integer("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", in: 1...EnvironmentReader.maximum) { maxBatchSize = size }
        if let timeout = try reader.milliseconds("OTEL_BSP_EXPORT_TIMEOUT", atLeast: 1) { exportTimeout = timeout }
    }
}
