import Foundation
import OTLPProto
import Testing
import Tracez

@_spi(Benchmarks) @testable import TracezOTLP

/// Writes requests with every field kind, in each encoding, for decoders we did not write.
///
/// Each set is NAME.pb, NAME.pb.gz and NAME.json (what the encoders wrote) plus
/// NAME.expected.json: the values, built here from the span records and not from the
/// encoder. `.ci/run` sets `TRACEZ_CAPTURE_DIR` and then has `.ci/interop/otlp_check.py`
/// decode each file with the PyPI package `opentelemetry-proto` and compare it field by
/// field, and `protoc --decode` read the `.pb` files. Here the `.pb` is decoded with the
/// protoc-generated Swift code, so the test checks something without Python too.
///
/// `sets.json` lists every set these tests write, so the Python check fails when one is
/// missing (a test that stopped writing) instead of checking fewer. Every write uses `try`:
/// a set that cannot be written fails its test.
@Suite(.timeLimit(.minutes(3))) struct CapturedRequestsTests {
    /// The sets the tests below write, each exactly once.
    static let sets = ["every-field-kind", "empty-batch", "five-hundred-spans"]

    static var directory: URL {
        let root =
            ProcessInfo.processInfo.environment["TRACEZ_CAPTURE_DIR"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("tracez-captures-\(getpid())")
        return root.appendingPathComponent("otlp")
    }

    init() throws {
        // Every test writes the list (the same bytes, atomically), so it is there whichever runs.
        try FileManager.default.createDirectory(at: Self.directory, withIntermediateDirectories: true)
        try JSONSerialization.data(withJSONObject: ["sets": Self.sets], options: [.sortedKeys])
            .write(to: Self.directory.appendingPathComponent("sets.json"), options: .atomic)
    }

    static let resource = OTLPResource(
        serviceName: "interop",
        attributes: ["deployment.environment.name": "ci", "host.cores": 2]
    )

    @Test func everyFieldKind() throws {
        let remoteParent = SpanContext(
            traceID: TraceID(high: 0x0af7_6519_16cd_43dd, low: 0x8448_eb21_1c80_319c),
            spanID: SpanID(0xb7ad_6b71_6920_3331),
            traceState: TraceState(header: "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7"),
            isRemote: true
        )
        var attributes = SpanAttributes()
        attributes["text"] = "héllo \"quoted\"\n\t\u{1}"
        attributes["int32"] = SpanAttribute.int32(-7)
        attributes["int64.min"] = Int64.min
        attributes["int64.max"] = Int64.max
        attributes["double"] = 1.5
        attributes["double.nan"] = Double.nan
        attributes["double.inf"] = -Double.infinity
        attributes["bool"] = true
        attributes["strings"] = ["a", "", "ü"]
        attributes["ints"] = SpanAttribute.int64Array([1, -2, 3])
        attributes["int32s"] = SpanAttribute.int32Array([4, 5])
        attributes["doubles"] = [0.25, -1e300]
        attributes["bools"] = [false, true]
        attributes["empty"] = SpanAttribute.stringArray([])
        attributes["convertible"] = SpanAttribute.stringConvertible(URL(string: "https://example.com/a?b=c")!)
        let records = [
            SpanRecord(
                context: SpanContext(traceID: remoteParent.traceID, spanID: SpanID(0x0102_0304_0506_0708), traceState: remoteParent.traceState),
                parentSpanID: remoteParent.spanID,
                parentIsRemote: true,
                name: "GET /chat/ünïcode",
                kind: .server,
                startNanoseconds: 1_700_000_000_123_456_789,
                endNanoseconds: 1_700_000_001_000_000_000,
                attributes: attributes,
                events: [
                    .init(name: "exception", nanoseconds: 1_700_000_000_500_000_000, attributes: ["exception.message": "boom"], droppedAttributeCount: 2),
                    .init(name: "no attributes", nanoseconds: 1_700_000_000_600_000_000),
                ],
                links: [.init(context: remoteParent, attributes: ["link.kind": "follows"], droppedAttributeCount: 1)],
                status: SpanStatus(code: .error, message: "it failed"),
                droppedAttributeCount: 3,
                droppedEventCount: 4,
                droppedLinkCount: 5
            ),
            SpanRecord(
                context: SpanContext(traceID: TraceID(high: 1, low: 2), spanID: SpanID(3), traceFlags: []),
                parentSpanID: nil,
                name: "root, unsampled flags, ok",
                kind: .internal,
                startNanoseconds: 10,
                endNanoseconds: 20,
                status: SpanStatus(code: .ok)
            ),
            SpanRecord(
                context: SpanContext(traceID: TraceID(high: 1, low: 2), spanID: SpanID(4)),
                parentSpanID: SpanID(3),
                name: "client",
                kind: .client,
                startNanoseconds: 11,
                endNanoseconds: 19
            ),
            SpanRecord(
                context: SpanContext(traceID: TraceID(high: 1, low: 2), spanID: SpanID(5)),
                parentSpanID: SpanID(3),
                name: "producer",
                kind: .producer,
                startNanoseconds: 12,
                endNanoseconds: 12
            ),
            SpanRecord(
                context: SpanContext(traceID: TraceID(high: 1, low: 2), spanID: SpanID(6)),
                parentSpanID: SpanID(5),
                name: "consumer",
                kind: .consumer,
                startNanoseconds: 13,
                endNanoseconds: 14
            ),
        ]
        try write("every-field-kind", records)
    }

    @Test func emptyBatchAndLargeBatch() throws {
        try write("empty-batch", [])
        let many = (0..<500).map { index in
            SpanRecord(
                context: SpanContext(traceID: TraceID(high: 7, low: UInt64(index / 10 + 1)), spanID: SpanID(UInt64(index + 1))),
                parentSpanID: index % 10 == 0 ? nil : SpanID(UInt64(index - index % 10 + 1)),
                name: "span \(index)",
                kind: .internal,
                startNanoseconds: UInt64(index) * 1_000,
                endNanoseconds: UInt64(index) * 1_000 + 500,
                attributes: ["index": .int64(Int64(index)), "name": .string(String(repeating: "x", count: index % 50))]
            )
        }
        try write("five-hundred-spans", many)
    }

    // MARK: - Writing a set

    private func write(_ name: String, _ records: [SpanRecord]) throws {
        try #require(Self.sets.contains(name), "add \(name) to CapturedRequestsTests.sets")
        let directory = Self.directory
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let protobuf = OTLPProtobufEncoder(resource: Self.resource).encode(records)
        let json = OTLPJSONEncoder(resource: Self.resource).encode(records)
        let base = directory.appendingPathComponent(name)
        try Data(protobuf).write(to: base.appendingPathExtension("pb"))
        try Data(try Gzip.compress(protobuf)).write(to: base.appendingPathExtension("pb.gz"))
        try Data(json).write(to: base.appendingPathExtension("json"))
        let expected: [String: Any] = [
            "resource": Self.plain(Self.resource.attributes),
            "scope": ["name": OTLPInstrumentationScope.tracez.name, "version": OTLPInstrumentationScope.tracez.version ?? ""],
            "spans": records.map(Self.plain),
            // Said twice on purpose: a request that decodes to no span passes only when this says 0.
            "spanCount": records.count,
        ]
        try JSONSerialization.data(withJSONObject: expected, options: [.sortedKeys, .prettyPrinted])
            .write(to: base.appendingPathExtension("expected.json"))

        // The protoc-generated Swift code reads the same bytes.
        let decoded = try Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceRequest(serializedBytes: protobuf)
        let spans = decoded.resourceSpans.flatMap(\.scopeSpans).flatMap(\.spans)
        #expect(spans.map(\.name) == records.map(\.name))
        #expect(spans.map(\.spanID) == records.map { Data($0.spanID.bytes) })
    }

    // MARK: - Expected values, from the records (the format otlp_check.py compares with)

    static func plain(_ record: SpanRecord) -> [String: Any] {
        [
            "traceId": record.traceID.hexString,
            "spanId": record.spanID.hexString,
            "parentSpanId": record.parentSpanID?.hexString ?? "",
            "traceState": record.context.traceState.headerValue,
            "flags": flags(record.context.traceFlags, isRemote: record.parentIsRemote),
            "name": record.name,
            "kind": kind(record.kind),
            "startTimeUnixNano": String(record.startNanoseconds),
            "endTimeUnixNano": String(record.endNanoseconds),
            "attributes": plain(record.attributes),
            "droppedAttributesCount": record.droppedAttributeCount,
            "events": record.events.map { event in
                [
                    "timeUnixNano": String(event.nanoseconds),
                    "name": event.name,
                    "attributes": plain(event.attributes),
                    "droppedAttributesCount": event.droppedAttributeCount,
                ] as [String: Any]
            },
            "droppedEventsCount": record.droppedEventCount,
            "links": record.links.map { link in
                [
                    "traceId": link.context.traceID.hexString,
                    "spanId": link.context.spanID.hexString,
                    "traceState": link.context.traceState.headerValue,
                    "attributes": plain(link.attributes),
                    "droppedAttributesCount": link.droppedAttributeCount,
                    "flags": flags(link.context.traceFlags, isRemote: link.context.isRemote),
                ] as [String: Any]
            },
            "droppedLinksCount": record.droppedLinkCount,
            "status": ["code": statusCode(record.status), "message": record.status?.message ?? ""] as [String: Any],
        ]
    }

    /// W3C flags in the low byte; OTLP's "is remote is known" (0x100, always: Tracez knows
    /// whether a parent came from another process, and a root has none) and "is remote" (0x200).
    static func flags(_ traceFlags: TraceFlags, isRemote: Bool) -> Int {
        Int(traceFlags.rawValue) | 0x100 | (isRemote ? 0x200 : 0)
    }

    static func kind(_ kind: SpanKind) -> Int {
        switch kind {
        case .internal: 1
        case .server: 2
        case .client: 3
        case .producer: 4
        case .consumer: 5
        }
    }

    static func statusCode(_ status: SpanStatus?) -> Int {
        switch status?.code {
        case nil: 0
        case .ok?: 1
        case .error?: 2
        }
    }

    static func plain(_ attributes: SpanAttributes) -> [String: Any] {
        var result: [String: Any] = [:]
        attributes.forEach { key, value in result[key] = plain(value) }
        return result
    }

    static func plain(_ value: SpanAttribute) -> [String: Any] {
        func double(_ d: Double) -> [String: Any] {
            if d.isNaN { return ["double": "NaN"] }
            if d.isInfinite { return ["double": d > 0 ? "Infinity" : "-Infinity"] }
            return ["double": d]
        }
        switch value {
        case .int32(let v): return ["int": String(v)]
        case .int64(let v): return ["int": String(v)]
        case .double(let v): return double(v)
        case .bool(let v): return ["bool": v]
        case .string(let v): return ["string": v]
        case .stringConvertible(let v): return ["string": String(describing: v)]
        case .int32Array(let values): return ["array": values.map { ["int": String($0)] }]
        case .int64Array(let values): return ["array": values.map { ["int": String($0)] }]
        case .doubleArray(let values): return ["array": values.map(double)]
        case .boolArray(let values): return ["array": values.map { ["bool": $0] }]
        case .stringArray(let values): return ["array": values.map { ["string": $0] }]
        case .stringConvertibleArray(let values): return ["array": values.map { ["string": String(describing: $0)] }]
        default: return ["unknown": "\(value)"]
        }
    }
}
