/// What became of one batch, reported to ``ExportConfiguration/onBatchResult`` once per batch.
public struct BatchResult: Sendable {
    public let collector: String
    /// Records in the batch when it was drained.
    public let records: Int
    public let exported: Int
    /// Records given up, by reason.
    public let dropped: DropCounts
    /// Records put back in the collector because the circuit breaker opened.
    public let requeued: Int
    /// Export calls made for the batch, retries included.
    public let attempts: Int
    /// From the first attempt to the last answer.
    public let duration: Duration
}
