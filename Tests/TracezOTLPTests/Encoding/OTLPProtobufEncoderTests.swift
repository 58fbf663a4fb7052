import Foundation
import OTLPProto
import Synchronization
import Testing
import Tracez
import TracezTestSupport

@_spi(Benchmarks) @testable import TracezOTLP

/// The protobuf encoder's particular cases, each decoded by the protoc-generated code.
/// ``OTLPEncoderPropertyTests`` covers every field on random batches.
@Suite(.timeLimit(.minutes(3))) struct OTLPProtobufEncoderTests {
    typealias Request = Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceRequest
    typealias Span = Opentelemetry_Proto_Trace_V1_Span

    static let encoder = OTLPProtobufEncoder(resource: OTLPResource(serviceName: "unit"))

    static func record(
        name: String = "span",
        parent: SpanID? = nil,
        parentIsRemote: Bool = false,
        traceFlags: TraceFlags = .sampled,
        attributes: SpanAttributes = [:],
        events: [SpanRecord.Event] = [],
        links: [SpanRecord.Link] = [],
        droppedAttributeCount: Int = 0,
        droppedEventCount: Int = 0,
        droppedLinkCount: Int = 0
    ) -> SpanRecord {
        SpanRecord(
            context: SpanContext(traceID: TraceID(high: 1, low: 2), spanID: SpanID(3), traceFlags: traceFlags),
            parentSpanID: parent,
            parentIsRemote: parentIsRemote,
            name: name,
            kind: .internal,
            startNanoseconds: 10,
            endNanoseconds: 20,
            attributes: attributes,
            events: events,
            links: links,
            droppedAttributeCount: droppedAttributeCount,
            droppedEventCount: droppedEventCount,
            droppedLinkCount: droppedLinkCount
        )
    }

    static func spans(_ records: [SpanRecord], encoder: OTLPProtobufEncoder = encoder) throws -> [Span] {
        let request = try Request(serializedBytes: encoder.encode(records))
        try #require(request.resourceSpans.count == 1)
        try #require(request.resourceSpans[0].scopeSpans.count == 1)
        return request.resourceSpans[0].scopeSpans[0].spans
    }

    /// Keys in the order the encoder promises: by UTF-8 bytes.
    static func byteOrder(_ keys: [String]) -> [String] {
        keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    // MARK: - Attribute order

    static let keys = [
        "http.request.method", "http.request.body.size", "http.request", "http.response.status_code",
        "url.path", "a", "b", "ab", "zz", "é", "日本", "langfuse.observation.input", "langfuse.observation.output",
        "langfuse.observation.metadata.a", "langfuse.observation.metadata.b", "", "key with space",
    ]

    @Test func attributesAreSortedByKeyWhateverTheInsertionOrder() throws {
        var forward = SpanAttributes()
        for (index, key) in Self.keys.enumerated() { forward[key] = index }
        // Another insertion order, and a dictionary that grew larger first: another iteration order.
        var backward = SpanAttributes()
        for index in 0..<300 { backward["filler.\(index)"] = index }
        for (index, key) in Self.keys.enumerated().reversed() { backward[key] = index }
        for index in 0..<300 { backward["filler.\(index)"] = nil }

        let first = Self.encoder.encode([Self.record(attributes: forward)])
        let second = Self.encoder.encode([Self.record(attributes: backward)])
        #expect(first == second)
        let span = try #require(try Self.spans([Self.record(attributes: backward)]).first)
        #expect(span.attributes.map(\.key) == Self.byteOrder(Self.keys))
        for keyValue in span.attributes {
            #expect(keyValue.value.intValue == Int64(Self.keys.firstIndex(of: keyValue.key) ?? -1))
        }
    }

    /// The same records make the same bytes in every process. Each process hashes with a seed
    /// of its own, so dictionaries iterate in another order in each: two children and this
    /// process must still agree. (Encoding twice in one process would prove nothing of that.)
    @Test func typedAndStandardAttributesAreEachWrittenOnceInKeyOrder() throws {
        let (tracer, collector) = try makeTracer()
        let span = tracer.startSpan("both stores")
        span.set("z.typed", "last")
        span.set("a.count", 7)
        span.set("m.ratio", 0.5)
        span.set("b.flag", true)
        span.set("c.overflow", 1)  // past the four kept inline
        span.attributes["k.standard"] = "dictionary"
        span.attributes["a.count"] = 8  // the later write wins, in one place
        span.end()
        let decoded = try #require(try Self.spans(collector.takeAll()).first)
        let keys = decoded.attributes.map(\.key)
        #expect(keys == Self.byteOrder(["z.typed", "a.count", "m.ratio", "b.flag", "c.overflow", "k.standard"]))
        let values = Dictionary(uniqueKeysWithValues: decoded.attributes.map { ($0.key, $0.value) })
        #expect(values["a.count"]?.intValue == 8)
        #expect(values["z.typed"]?.stringValue == "last")
        #expect(values["m.ratio"]?.doubleValue == 0.5)
        #expect(values["b.flag"]?.boolValue == true)
        #expect(values["c.overflow"]?.intValue == 1)
        #expect(values["k.standard"]?.stringValue == "dictionary")
    }

    @Test func theSameRecordsMakeTheSameBytesInEveryProcess() throws {
        var attributes = SpanAttributes()
        for (index, key) in Self.keys.enumerated() { attributes[key] = index }
        for index in 0..<64 { attributes["filler.\(index)"] = "\(index)" }
        let event = SpanRecord.Event(name: "e", nanoseconds: 15, attributes: attributes)
        let bytes = Self.encoder.encode([Self.record(attributes: attributes, events: [event])])
        let hex = bytes.map { String($0, radix: 16) }.joined(separator: ".")
        if ProcessInfo.processInfo.environment["TRACEZ_ENCODING_CHILD"] != nil {
            report("tracez-encoded", hex)
            return
        }
        for child in 1...2 {
            let (status, output) = try runTestsInChildProcess(
                filter: "theSameRecordsMakeTheSameBytesInEveryProcess",
                environment: ["TRACEZ_ENCODING_CHILD": "\(child)"]
            )
            let encoded = reported("tracez-encoded", in: output)
            try #require(status == 0 && encoded.count == 1, "child \(child) did not encode:\n\(output.suffix(2000))")
            #expect(encoded[0] == hex, "child \(child) encoded other bytes")
        }
    }

    @Test func eventAndLinkAttributesAreSortedToo() throws {
        var attributes = SpanAttributes()
        for key in Self.keys.reversed() { attributes[key] = key }
        let link = SpanRecord.Link(context: SpanContext(traceID: TraceID(high: 5, low: 6), spanID: SpanID(7)), attributes: attributes)
        let record = Self.record(events: [SpanRecord.Event(name: "e", nanoseconds: 15, attributes: attributes)], links: [link])
        let span = try #require(try Self.spans([record]).first)
        #expect(span.events.first?.attributes.map(\.key) == Self.byteOrder(Self.keys))
        #expect(span.links.first?.attributes.map(\.key) == Self.byteOrder(Self.keys))
        #expect(span.events.first?.attributes.allSatisfy { $0.value.stringValue == $0.key } == true)
    }

    @Test func resourceAttributesAreSorted() throws {
        let encoder = OTLPProtobufEncoder(resource: OTLPResource(serviceName: "svc", attributes: ["zone": "b", "az": "a"]))
        let request = try Request(serializedBytes: encoder.encode([]))
        let keys = request.resourceSpans.first?.resource.attributes.map(\.key) ?? []
        #expect(keys == Self.byteOrder(["zone", "az", "service.name", "telemetry.sdk.name", "telemetry.sdk.language", "telemetry.sdk.version"]))
    }

    // MARK: - Lengths

    /// The writer guesses the width of each length before the body is written: 1 byte for
    /// attributes and events, 2 for a span, from the batch size for the outer messages.
    @Test(arguments: [0, 1, 100, 127, 128, 129, 16_383, 16_384, 70_000, 2_100_000])
    func lengthsOfEveryWidthReadBack(_ valueLength: Int) throws {
        let text = String(repeating: "é", count: valueLength / 2) + String(repeating: "x", count: valueLength % 2)
        let record = Self.record(
            name: text,
            attributes: ["long": .string(text), "short": 1],
            events: [SpanRecord.Event(name: text, nanoseconds: 11, attributes: ["long": .string(text)])],
            links: [SpanRecord.Link(context: SpanContext(traceID: TraceID(high: 5, low: 6), spanID: SpanID(7)), attributes: ["long": .string(text)])]
        )
        let spans = try Self.spans([record, Self.record(name: "after")])
        #expect(spans.count == 2)
        #expect(spans.first?.name == text)
        #expect(spans.first?.attributes.first?.value.stringValue == text)
        #expect(spans.first?.events.first?.name == text)
        #expect(spans.first?.events.first?.attributes.first?.value.stringValue == text)
        #expect(spans.first?.links.first?.attributes.first?.value.stringValue == text)
        #expect(spans.last?.name == "after")
    }

    @Test(arguments: [0, 1, 5, 600, 20_000])
    func batchesSmallerOrLargerThanExpectedReadBack(_ count: Int) throws {
        // Spans far smaller than the writer's guess of 256 bytes each.
        let records = (0..<count).map { Self.record(name: "s\($0)") }
        let spans = try Self.spans(records)
        #expect(spans.map(\.name) == records.map(\.name))
    }

    @Test func aDescriptionThatChangesBetweenReadsStillMakesAValidRequest() throws {
        let restless = Restless()
        let record = Self.record(
            attributes: ["restless": .stringConvertible(restless), "z.after": "still here"],
            events: [SpanRecord.Event(name: "e", nanoseconds: 12, attributes: ["many": .stringConvertibleArray([restless, restless])])]
        )
        let spans = try Self.spans([record, record])
        #expect(spans.count == 2)
        for span in spans {
            #expect(span.attributes.map(\.key) == ["restless", "z.after"])
            #expect(span.attributes.last?.value.stringValue == "still here")
            #expect(span.attributes.first?.value.stringValue.allSatisfy { $0 == "x" } == true)
            #expect(span.events.first?.attributes.first?.value.arrayValue.values.count == 2)
        }
    }

    // MARK: - Fields

    @Test func flagsCarryTheW3CFlagsAndWhetherTheParentIsRemote() throws {
        let records = [
            Self.record(),  // a root: HAS_IS_REMOTE, not remote
            Self.record(parent: SpanID(9)),  // a local parent
            Self.record(parent: SpanID(9), parentIsRemote: true),  // a parent from a traceparent header
            Self.record(parent: SpanID(9), parentIsRemote: true, traceFlags: []),  // unsampled
            Self.record(traceFlags: TraceFlags(rawValue: 0xFF)),  // every W3C bit, kept in the low byte
        ]
        let spans = try Self.spans(records)
        #expect(spans.map(\.flags) == [0x101, 0x101, 0x301, 0x300, 0x1FF])
        #expect(spans.map(\.parentSpanID) == [Data(), Data(SpanID(9).bytes), Data(SpanID(9).bytes), Data(SpanID(9).bytes), Data()])
    }

    @Test func countsBeyondUInt32AreClamped() throws {
        let big = Int(UInt32.max) + 10
        let record = Self.record(
            events: [SpanRecord.Event(name: "e", nanoseconds: 12, droppedAttributeCount: big)],
            droppedAttributeCount: big,
            droppedEventCount: big,
            droppedLinkCount: Int(UInt32.max)
        )
        let span = try #require(try Self.spans([record]).first)
        #expect(span.droppedAttributesCount == UInt32.max)
        #expect(span.droppedEventsCount == UInt32.max)
        #expect(span.droppedLinksCount == UInt32.max)
        #expect(span.events.first?.droppedAttributesCount == UInt32.max)
    }

    @Test func anEmptyBatchIsOneResourceAndOneScopeWithoutSpans() throws {
        let request = try Request(serializedBytes: Self.encoder.encode([]))
        #expect(request.resourceSpans.count == 1)
        #expect(request.resourceSpans.first?.scopeSpans.count == 1)
        #expect(request.resourceSpans.first?.scopeSpans.first?.spans.isEmpty == true)
        #expect(request.resourceSpans.first?.scopeSpans.first?.scope.name == "tracez")
        #expect(request.resourceSpans.first?.scopeSpans.first?.scope.version == TracezVersion.current)
    }

    @Test func aScopeWithoutVersionHasNone() throws {
        let encoder = OTLPProtobufEncoder(resource: OTLPResource(serviceName: "svc"), scope: OTLPInstrumentationScope(name: "mine"))
        let request = try Request(serializedBytes: encoder.encode([Self.record()]))
        #expect(request.resourceSpans.first?.scopeSpans.first?.scope.name == "mine")
        #expect(request.resourceSpans.first?.scopeSpans.first?.scope.version == "")
    }

    @Test func anEmptyScopeAndResourceAreEmptyMessages() throws {
        var resource = OTLPResource(serviceName: "svc")
        resource.attributes = [:]
        let encoder = OTLPProtobufEncoder(resource: resource, scope: OTLPInstrumentationScope(name: ""))
        let request = try Request(serializedBytes: encoder.encode([Self.record()]))
        #expect(request.resourceSpans.first?.hasResource == true)
        #expect(request.resourceSpans.first?.resource.attributes.isEmpty == true)
        #expect(request.resourceSpans.first?.scopeSpans.first?.scope.name == "")
        #expect(request.resourceSpans.first?.scopeSpans.first?.spans.count == 1)
        let json = OTLPJSONEncoder(resource: resource, scope: OTLPInstrumentationScope(name: "")).encode([Self.record()])
        #expect(try JSONSerialization.jsonObject(with: Data(json)) is [String: Any])
    }

    @Test func theSameRecordsMakeTheSameBytes() {
        let record = Self.record(attributes: ["b": 1, "a": "x", "c": 2.5], events: [SpanRecord.Event(name: "e", nanoseconds: 1)])
        #expect(Self.encoder.encode([record, record]) == Self.encoder.encode([record, record]))
    }
}

/// A value whose description grows each time it is read: a size computed from one read
/// would not fit what a later read writes.
final class Restless: CustomStringConvertible, Sendable {
    private let reads = SanitizedMutex(0)

    var description: String {
        let count = reads.withLock { reads in
            reads += 1
            return reads
        }
        return String(repeating: "x", count: count * 70)
    }
}
