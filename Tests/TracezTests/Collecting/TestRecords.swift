@testable import Tracez

/// A span record built directly, without a tracer: only `name` is required.
///
/// Defaults make a sampled root span of a fresh trace, 1 µs long, with no
/// attributes and no status. Pass `traceID` and `parentSpanID` to build trees.
func makeRecord(
    name: String,
    traceID: TraceID = .random(),
    spanID: SpanID = .random(),
    parentSpanID: SpanID? = nil,
    kind: SpanKind = .internal,
    startNanoseconds: UInt64 = 1_000_000_000,
    durationNanoseconds: UInt64 = 1_000,
    attributes: SpanAttributes = [:],
    events: [SpanRecord.Event] = [],
    status: SpanStatus? = nil
) -> SpanRecord {
    SpanRecord(
        context: SpanContext(traceID: traceID, spanID: spanID),
        parentSpanID: parentSpanID,
        name: name,
        kind: kind,
        startNanoseconds: startNanoseconds,
        endNanoseconds: startNanoseconds + durationNanoseconds,
        attributes: attributes,
        events: events,
        status: status
    )
}

/// Records named `prefix0`, `prefix1`, …, in that order.
func makeRecords(_ count: Int, prefix: String = "span") -> [SpanRecord] {
    (0..<count).map { makeRecord(name: "\(prefix)\($0)") }
}
