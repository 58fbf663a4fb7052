/// What a full ``Collector`` does with one more span record.
public enum OverflowPolicy: Sendable, Hashable {
    /// Keep what is there and count the new record as dropped (``DropReason/bufferFull``).
    /// Never slows the code that ended the span. The default.
    case dropNewest
    /// Overwrite the oldest record and count it (``DropReason/overwritten``): a flight
    /// recorder that always holds the latest `capacity` spans.
    case overwriteOldest
    /// Wait up to `timeout` for room, then drop the new record as ``DropReason/bufferFull``.
    ///
    /// The wait blocks the thread that ended the span: it sleeps, without polling, until a
    /// drain makes room, the collector closes, or the timeout passes. If that is one of Swift
    /// concurrency's cooperative threads (there is one per core), the export
    /// pipeline that would make room may not get a thread until the wait times
    /// out: with every cooperative thread blocked, each record waits its whole
    /// timeout and is then dropped. Use it for producers on threads of their own,
    /// where losing a span is worse than stalling the caller, and keep the timeout short.
    case block(timeout: Duration)
}
