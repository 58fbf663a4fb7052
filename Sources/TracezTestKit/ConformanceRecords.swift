import Tracez

/// The span records ``ExporterConformance`` sends: ordinary ones, and the hostile input of
/// `Docs/Reliability.md` as it reaches an exporter (after the tracer's limits, which a record
/// made by hand need not respect).
enum ConformanceRecords {
    /// Three spans of one trace: a server span, a client child with an event, an errored child.
    static func ordinary() -> [SpanRecord] {
        let traceID = TraceID.random()
        let root = SpanContext(traceID: traceID, spanID: .random(), traceFlags: .sampled, traceState: TraceState(), isRemote: false)
        let start: UInt64 = 1_764_000_000_000_000_000
        func child() -> SpanContext {
            SpanContext(traceID: traceID, spanID: .random(), traceFlags: .sampled, traceState: TraceState(), isRemote: false)
        }
        return [
            SpanRecord(
                context: child(), parentSpanID: root.spanID, name: "GET /inventory", kind: .client,
                startNanoseconds: start + 1_000_000, endNanoseconds: start + 4_000_000,
                attributes: ["http.request.method": "GET", "http.response.status_code": 200],
                events: [SpanRecord.Event(name: "cache miss", nanoseconds: start + 2_000_000, attributes: ["cache.key": "sku-42"])]),
            SpanRecord(
                context: child(), parentSpanID: root.spanID, name: "charge card", kind: .internal,
                startNanoseconds: start + 5_000_000, endNanoseconds: start + 6_000_000,
                status: SpanStatus(code: .error, message: "card declined")),
            SpanRecord(
                context: root, parentSpanID: nil, name: "POST /checkout", kind: .server,
                startNanoseconds: start, endNanoseconds: start + 9_000_000,
                attributes: ["http.request.method": "POST", "cart.items": 3, "cart.total": 59.9]),
        ]
    }

    /// One record per kind of hostile value, so an exporter that refuses one record still gets the others.
    static func hostile() -> [SpanRecord] {
        let traceID = TraceID.random()
        let start: UInt64 = 1_764_000_000_000_000_000
        func record(_ name: String, attributes: SpanAttributes = [:], events: [SpanRecord.Event] = [], links: [SpanRecord.Link] = []) -> SpanRecord {
            SpanRecord(
                context: SpanContext(traceID: traceID, spanID: .random(), traceFlags: .sampled, traceState: TraceState(), isRemote: false),
                parentSpanID: nil, name: name, kind: .internal, startNanoseconds: start, endNanoseconds: start + 1_000,
                attributes: attributes, events: events, links: links)
        }
        let everyPlane = (0...16).compactMap { Unicode.Scalar(UInt32($0) << 16 | 0x41) }.map { String(Character($0)) }.joined()
        return [
            record("huge", attributes: ["value": .string(String(repeating: "a", count: 1 << 20))]),
            record(
                "numbers",
                attributes: [
                    "nan": .double(.nan), "infinity": .double(.infinity), "minus infinity": .double(-.infinity),
                    "int64 min": .int64(.min), "int64 max": .int64(.max), "doubles": .doubleArray([.nan, -0.0, .greatestFiniteMagnitude]),
                ]),
            record("keys", attributes: ["": "empty key", " ": "blank key", "\u{0}\u{7F}\n": "control characters"]),
            record("text \u{0}\u{1B}[31m\u{202E}", attributes: ["unicode": .string(everyPlane + "\u{FEFF}\u{FFFD}e\u{301}")]),
            record(
                "many events",
                events: (0..<SpanLimits().maxEvents).map { SpanRecord.Event(name: "event \($0)", nanoseconds: start + UInt64($0)) },
                links: (0..<SpanLimits().maxLinks).map { _ in
                    SpanRecord.Link(context: SpanContext(traceID: .random(), spanID: .random(), traceFlags: [], traceState: TraceState(), isRemote: true))
                }),
            SpanRecord(
                context: SpanContext(traceID: traceID, spanID: .random(), traceFlags: .sampled, traceState: TraceState(), isRemote: false),
                parentSpanID: .random(), parentIsRemote: true, name: "", kind: .consumer, startNanoseconds: 0, endNanoseconds: 0),
        ]
    }
}
