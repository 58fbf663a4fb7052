import Tracez

/// A sample span, and the spans of its trace that the page still held when asked.
public struct TraceSample: Sendable {
    public let span: SpanRecord
    /// The sample and every recent span of its trace, in no particular order.
    public let trace: [SpanRecord]
}
