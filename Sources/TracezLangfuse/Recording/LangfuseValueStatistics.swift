/// What a ``LangfuseExporter``'s value shaping replaced by a marker, since the exporter was
/// made: the values of observations recorded by tracers that export through it.
///
/// A plain value, read from ``LangfuseExporter/valueStatistics``; each read is a fresh
/// snapshot. The counts are read one after the other from atomic counters, so while
/// other tasks record, they may be a moment apart.
public struct LangfuseValueStatistics: Sendable, Hashable {
    /// Values replaced by `{"tracez.truncated": true, …}`: over
    /// ``LangfuseConfiguration/maxValueBytes`` once encoded and masked, or nested deeper than
    /// ``LangfuseConfiguration/maxValueDepth`` (a mask's answer included).
    public var truncated: Int
    /// Values whose `encode(to:)` threw, sent as `{"tracez.unencodable": "<type>"}` instead.
    public var unencodable: Int
    /// User ids, session ids, tags and trace metadata values left out for being over
    /// ``TraceAttributes/maxFieldCharacters`` (200), as the Python SDK leaves them out:
    /// Langfuse would refuse them.
    public var droppedTraceFields: Int
    /// Metadata entries (of observations and traces) left out because their span had no
    /// room: past its attribute budget, and past what the one merged metadata value holds
    /// (256 entries, or the value cap). Typed fields are kept before metadata.
    public var droppedMetadata: Int
    /// Usage counts and costs left out because Langfuse would refuse the whole generation
    /// for them: negative counts, negative or non-finite costs. The rest of the generation is kept.
    public var droppedUsageValues: Int

    public init(truncated: Int = 0, unencodable: Int = 0, droppedTraceFields: Int = 0, droppedMetadata: Int = 0, droppedUsageValues: Int = 0) {
        self.truncated = truncated
        self.unencodable = unencodable
        self.droppedTraceFields = droppedTraceFields
        self.droppedMetadata = droppedMetadata
        self.droppedUsageValues = droppedUsageValues
    }
}
