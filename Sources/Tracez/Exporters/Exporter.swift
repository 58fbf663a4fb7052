/// Turns batches of span records into a backend's wire format and sends them.
///
/// Batching, retry, backoff and drop counting live once, in ``ExportPipeline``;
/// an exporter only sends. The pipeline calls ``export(_:)`` for up to
/// ``ExportConfiguration/maxConcurrentExports`` batches at once (so an exporter must
/// handle concurrent calls, as a `Sendable` type does) and ``shutdown()`` once, after the
/// last export.
///
/// Implementation requirements:
/// - Return only when the backend has accepted the whole batch; throw otherwise.
///   Throwing hands the batch back to the pipeline, which counts it.
/// - Honour task cancellation: the pipeline cancels an export that outlives its timeout.
/// - Never log or throw a secret (keys, tokens, header values).
///
/// ``InMemoryExporter`` is the reference conformer.
public protocol Exporter: Sendable {
    /// Sends one batch. Throwing hands the batch back to the pipeline to retry or drop.
    func export(_ batch: [SpanRecord]) async throws
    /// Releases connections; called once, after the last export.
    func shutdown() async
}

extension Exporter {
    public func shutdown() async {}
}
