/// A batch that a routine export round set aside when shutdown began while it waited for a
/// retry: shutdown's last drain sends it after everything still buffered, when its retry is
/// due, and its retries go on where they stood (attempts made, time budget used).
///
/// The records are in flight on the collector from their drain until they are settled; while
/// set aside, the pipeline holds the duty to settle them (`DrainedBatch.takeRecordsUnsettled()`),
/// and gives it back to a new `DrainedBatch` when the last drain takes them. Records still set
/// aside when shutdown ends are counted with everything else in flight (`Collector.abandon`).
///
/// Thread-safety: an immutable value; the pipeline keeps its list behind a lock.
struct SetAsideBatch: Sendable {
    let records: [SpanRecord]
    /// When the retry is due.
    let retryAt: ContinuousClock.Instant
    /// Whether the backend asked for that wait (`Retry-After`), rather than our own backoff.
    let isBackendsRequest: Bool
    /// Where the batch's retries stand.
    let progress: RetryProgress
}

/// How far a batch's retries have gone: attempts made, and when the first one began (the time
/// budget, ``RetryPolicy/maxElapsed``, counts from there).
struct RetryProgress: Sendable {
    var attempts: Int
    let started: ContinuousClock.Instant
}
