import Logging
import Tracez
import TracezHTTP

@testable import TracezLangfuse

// Kept to one function on purpose: IngestionResults is being reworked, and this harness
// should be easy to follow it. The fuzz bytes are the body of a 207 answer to one request
// of three records and five events (a root record carries a trace-create too).

private let events = [
    IngestionEvent(id: "t1-trace", type: "trace-create", body: .null, record: 0),
    IngestionEvent(id: "s1-span", type: "span-create", body: .null, record: 0),
    IngestionEvent(id: "s2-generation", type: "generation-create", body: .null, record: 1),
    IngestionEvent(id: "s3-event", type: "event-create", body: .null, record: 2),
    IngestionEvent(id: "s3-score", type: "score-create", body: .null, record: 2),
]

private let records = (1...3).map { index in
    SpanRecord(
        context: SpanContext(traceID: TraceID(high: 1, low: 2), spanID: SpanID(UInt64(index))),
        parentSpanID: index == 1 ? nil : SpanID(1),
        name: "record \(index)",
        kind: .internal,
        startNanoseconds: 1_700_000_000_000_000_000,
        endNanoseconds: 1_700_000_001_000_000_000
    )
}

private let quiet = Logger(label: "tracez.fuzz", factory: { _ in SwiftLogNoOpLogHandler() })

/// Reads any bytes as Langfuse's 207 body, then asks which records to retry or drop.
func fuzzLangfuse207(_ bytes: [UInt8]) {
    var results = IngestionResults(recordCount: records.count)
    results.read(HTTPResponse(status: 207, body: bytes), events: events, logger: quiet)
    guard let error = results.error(for: records) else { return }
    switch error.code {
    case .partial:
        let rejectedCount = error.rejectedCount ?? 0
        let retry = error.retry ?? []
        precondition(rejectedCount + retry.count <= records.count, "207 answer: \(rejectedCount) rejected and \(retry.count) to retry of \(records.count)")
    case .perRecord:
        let dropped = error.dropped ?? DropCounts()
        let retry = error.retry ?? []
        precondition(dropped.total + retry.count <= records.count, "207 answer: \(dropped.total) dropped and \(retry.count) to retry of \(records.count)")
    default:
        break
    }
}
