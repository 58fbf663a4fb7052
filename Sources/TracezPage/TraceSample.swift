import Tracez

/// A sample span, and the spans of its trace that the page still held when asked.
struct TraceSample: Sendable {
    let span: SpanRecord
    /// The sample and every recent span of its trace, in no particular order.
    let trace: [SpanRecord]
}
