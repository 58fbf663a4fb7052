import Tracez

/// How a ``TracezPage`` keeps and shows spans. Every field has a default.
public struct TracezPageConfiguration: Sendable {
    /// The page's heading, such as the service's name. Default `"tracez"`.
    public var title: String
    /// Finished spans the flight recorder holds between two reads by the page. The page
    /// reads it every ``readInterval`` and whenever it is half full; spans that arrive
    /// faster overwrite older ones, which the page then counts as not seen. Default 2048.
    public var flightRecorderCapacity: Int
    /// How often the page's ``TracezPage/run()`` reads the flight recorder; at least 1 ms. Default 100 ms.
    public var readInterval: Duration
    /// Recent spans kept to draw the trace around a sample. Default 4096.
    public var recentSpans: Int
    /// Sample spans kept per span name and latency bucket, the most recent first. Default 3.
    public var samplesPerBucket: Int
    /// Sample spans with an error status kept per span name. Default 5.
    public var errorSamples: Int
    /// Span names shown one by one; spans of further names are counted together, so that a
    /// name built from user input cannot grow the page without bound. Default 200.
    public var maxSpanNames: Int
    /// Characters of a span name the page keeps; longer names are cut with `…`. Default 200.
    public var maxNameLength: Int
    /// How often the HTML page reloads itself in the browser. Default 5 s.
    public var refreshInterval: Duration
    /// The width of a sample's trace tree, in characters. Default 120.
    public var treeWidth: Int
    /// Asked in order for each span's phrase in a sample's trace tree.
    public var summarizers: [any SpanSummarizer]

    public init(
        title: String = "tracez",
        flightRecorderCapacity: Int = 2048,
        readInterval: Duration = .milliseconds(100),
        recentSpans: Int = 4096,
        samplesPerBucket: Int = 3,
        errorSamples: Int = 5,
        maxSpanNames: Int = 200,
        maxNameLength: Int = 200,
        refreshInterval: Duration = .seconds(5),
        treeWidth: Int = 120,
        summarizers: [any SpanSummarizer] = [SemanticConventionsSummarizer()]
    ) {
        self.title = title
        self.flightRecorderCapacity = flightRecorderCapacity
        self.readInterval = readInterval
        self.recentSpans = recentSpans
        self.samplesPerBucket = samplesPerBucket
        self.errorSamples = errorSamples
        self.maxSpanNames = maxSpanNames
        self.maxNameLength = maxNameLength
        self.refreshInterval = refreshInterval
        self.treeWidth = treeWidth
        self.summarizers = summarizers
    }
}
