import Tracez

/// What the `/tracez` page shows, at one moment; `/tracez.json` is this value encoded.
///
/// Counts of span names cover every span the page has read from its flight recorder since it
/// was made; ``flightRecorder`` says how many it read (`exported`) and how many arrived too
/// fast to be read (`dropped.overwritten`).
public struct TracezPageSnapshot: Sendable, Codable, Hashable {
    public var title: String
    /// Seconds since the page was made.
    public var uptimeSeconds: Double
    /// The headings of ``SpanNameSummary/latency``, in order.
    public var latencyBuckets: [String]
    /// One entry per span name, sorted by name.
    public var spanNames: [SpanNameSummary]
    /// Spans whose names came after ``TracezPageConfiguration/maxSpanNames`` others, counted together.
    public var otherNames: SpanNameSummary?
    /// Every pipeline the page watches, in the order it was given them.
    public var pipelines: [PipelineSummary]
    /// The page's own collector.
    public var flightRecorder: CollectorSummary
}

/// Counts and latency histogram of the spans of one name.
public struct SpanNameSummary: Sendable, Codable, Hashable {
    public var name: String
    public var count: Int
    public var errors: Int
    /// Spans per latency bucket, in the order of ``TracezPageSnapshot/latencyBuckets``: `<10µs` to `≥10s`.
    public var latency: [Int]
    /// Sample spans held per latency bucket.
    public var samples: [Int]
    /// Sample spans held among those with an error status.
    public var errorSamples: Int
}

/// One collector's counters, as `CollectorStatistics` holds them.
public struct CollectorSummary: Sendable, Codable, Hashable {
    public var name: String
    public var capacity: Int
    public var fillLevel: String
    public var recorded: Int
    public var exported: Int
    /// Every `DropReason`, by its raw value, including those at zero.
    public var dropped: [String: Int]
    public var droppedTotal: Int
    public var buffered: Int
    public var inFlight: Int
    public var waiting: Int
    public var pending: Int

    init(_ statistics: CollectorStatistics, fillLevel: FillLevel) {
        name = statistics.name
        capacity = statistics.capacity
        self.fillLevel = "\(fillLevel)"
        recorded = statistics.recorded
        exported = statistics.exported
        dropped = Dictionary(uniqueKeysWithValues: DropReason.allCases.map { ($0.rawValue, statistics.dropped[$0]) })
        droppedTotal = statistics.dropped.total
        buffered = statistics.buffered
        inFlight = statistics.inFlight
        waiting = statistics.waiting
        pending = statistics.pending
    }
}

/// One export pipeline: its collector, how fast it exports, and its health.
public struct PipelineSummary: Sendable, Codable, Hashable {
    public var collector: CollectorSummary
    /// Records exported per second over the last ten seconds or so (0 until the page has two readings).
    public var exportedPerSecond: Double
    /// `closed`, `halfOpen` or `open`.
    public var circuit: String
    /// The last failed attempt's reason, as the exporter described it (exporters keep secrets out of it).
    public var lastError: String?
    public var lastErrorSecondsAgo: Double?
    /// Seconds until a batch waiting for a retry is sent again.
    public var nextRetryInSeconds: Double?
}
