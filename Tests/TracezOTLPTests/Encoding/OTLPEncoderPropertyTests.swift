import Foundation
import OTLPProto
import PropertyBased
import Testing
import Tracez
import TracezTestSupport

@_spi(Benchmarks) @testable import TracezOTLP

/// Randomized span sets, encoded by our encoders and decoded by code that protoc and
/// swift-protobuf's plugin generated from the OTLP .proto files: every field must survive.
///
/// PropertyBased draws the seed (and reports it on failure, with `.fixedSeed` to replay);
/// ``RandomSpans`` turns a seed into a batch covering every field kind: unicode and control
/// characters, every attribute kind with empty arrays, NaN, ±infinity and the Int64
/// extremes, events, links, statuses, dropped counts, remote parents and trace state.
@Suite(.timeLimit(.minutes(3))) struct OTLPEncoderPropertyTests {
    typealias Request = Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceRequest

    static let resource = OTLPResource(serviceName: "property", attributes: ["team": "tracing", "replicas": 3])
    static let scope = OTLPInstrumentationScope(name: "property-tests", version: "9.9.9")

    @Test func protobufRoundTripsEveryField() async throws {
        await propertyCheck(count: 200, input: Gen.int(in: 0...Int.max)) { seed in
            var random = RandomSpans(seed: UInt64(seed))
            let records = random.batch()
            let bytes = OTLPProtobufEncoder(resource: Self.resource, scope: Self.scope).encode(records)
            do {
                let request = try Request(serializedBytes: bytes)
                Self.expectMatches(request, records)
            } catch {
                Issue.record("the generated decoder refused our bytes: \(error)")
            }
        }
    }

    @Test func jsonRoundTripsEveryField() async throws {
        await propertyCheck(count: 100, input: Gen.int(in: 0...Int.max)) { seed in
            var random = RandomSpans(seed: UInt64(seed))
            let records = random.batch()
            let bytes = OTLPJSONEncoder(resource: Self.resource, scope: Self.scope).encode(records)
            do {
                let request = try Request(jsonUTF8Bytes: try OTLPJSON.withBase64IDs(bytes))
                Self.expectMatches(request, records)
            } catch {
                Issue.record("the generated JSON decoder refused our JSON: \(error)\n\(String(decoding: bytes, as: UTF8.self).prefix(2000))")
            }
        }
    }

    @Test func jsonFollowsTheOTLPRules() throws {
        let record = SpanRecord(
            context: SpanContext(traceID: TraceID(high: 0xABCD, low: 1), spanID: SpanID(0xFF)),
            parentSpanID: SpanID(2),
            name: "rules",
            kind: .client,
            startNanoseconds: 1_700_000_000_000_000_001,
            endNanoseconds: 1_700_000_000_000_000_002,
            attributes: ["big": .int64(Int64.max), "zero.bool": false]
        )
        let text = String(decoding: OTLPJSONEncoder(resource: Self.resource).encode([record]), as: UTF8.self)
        #expect(text.contains(#""traceId":"000000000000abcd0000000000000001""#))  // hex, lowercase
        #expect(text.contains(#""spanId":"00000000000000ff""#))
        #expect(text.contains(#""startTimeUnixNano":"1700000000000000001""#))  // 64-bit as strings
        #expect(text.contains(#""intValue":"9223372036854775807""#))
        #expect(text.contains(#""boolValue":false"#))  // a oneof member is kept at its default
        #expect(text.contains(#""kind":3"#))  // enums as integers
        #expect(!text.contains("droppedAttributesCount"))  // defaults left out
        #expect(text.contains("resourceSpans") && text.contains("scopeSpans"))  // lowerCamelCase
    }

    // MARK: - Comparing a decoded request with the records

    static func expectMatches(_ request: Request, _ records: [SpanRecord], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(request.resourceSpans.count == 1, sourceLocation: sourceLocation)
        guard let resourceSpans = request.resourceSpans.first else { return }
        expectAttributes(resourceSpans.resource.attributes, resource.attributes, "resource")
        #expect(resourceSpans.scopeSpans.count == 1)
        guard let scopeSpans = resourceSpans.scopeSpans.first else { return }
        #expect(scopeSpans.scope.name == scope.name)
        #expect(scopeSpans.scope.version == scope.version)
        #expect(scopeSpans.spans.count == records.count)
        for (span, record) in zip(scopeSpans.spans, records) {
            let name = record.name
            #expect(span.traceID == Data(record.traceID.bytes), "\(name)")
            #expect(span.spanID == Data(record.spanID.bytes), "\(name)")
            #expect(span.traceState == record.context.traceState.headerValue, "\(name)")
            #expect(span.parentSpanID == Data(record.parentSpanID?.bytes ?? []), "\(name)")
            #expect(span.flags == UInt32(record.context.traceFlags.rawValue) | 0x100 | (record.parentIsRemote ? 0x200 : 0), "\(name)")
            #expect(span.name == record.name)
            #expect(span.kind.rawValue == kindNumber(record.kind), "\(name)")
            #expect(span.startTimeUnixNano == record.startNanoseconds, "\(name)")
            #expect(span.endTimeUnixNano == record.endNanoseconds, "\(name)")
            expectAttributes(span.attributes, record.attributes, "\(name) attributes")
            #expect(Int(span.droppedAttributesCount) == record.droppedAttributeCount, "\(name)")
            #expect(span.events.count == record.events.count, "\(name)")
            for (event, expected) in zip(span.events, record.events) {
                #expect(event.name == expected.name)
                #expect(event.timeUnixNano == expected.nanoseconds)
                expectAttributes(event.attributes, expected.attributes, "\(name) event \(expected.name)")
                #expect(Int(event.droppedAttributesCount) == expected.droppedAttributeCount)
            }
            #expect(Int(span.droppedEventsCount) == record.droppedEventCount, "\(name)")
            #expect(span.links.count == record.links.count, "\(name)")
            for (link, expected) in zip(span.links, record.links) {
                #expect(link.traceID == Data(expected.context.traceID.bytes))
                #expect(link.spanID == Data(expected.context.spanID.bytes))
                #expect(link.traceState == expected.context.traceState.headerValue)
                #expect(link.flags == UInt32(expected.context.traceFlags.rawValue) | 0x100 | (expected.context.isRemote ? 0x200 : 0))
                expectAttributes(link.attributes, expected.attributes, "\(name) link")
                #expect(Int(link.droppedAttributesCount) == expected.droppedAttributeCount)
            }
            #expect(Int(span.droppedLinksCount) == record.droppedLinkCount, "\(name)")
            switch record.status?.code {
            case nil: #expect(!span.hasStatus || span.status.code == .unset, "\(name)")
            case .ok?: #expect(span.status.code == .ok, "\(name)")
            case .error?: #expect(span.status.code == .error, "\(name)")
            }
            #expect(span.status.message == (record.status?.message ?? ""), "\(name)")
        }
    }

    static func kindNumber(_ kind: SpanKind) -> Int {
        switch kind {
        case .internal: 1
        case .server: 2
        case .client: 3
        case .producer: 4
        case .consumer: 5
        }
    }

    static func expectAttributes(_ decoded: [Opentelemetry_Proto_Common_V1_KeyValue], _ expected: SpanAttributes, _ what: String) {
        var expectedByKey: [String: SpanAttribute] = [:]
        expected.forEach { key, value in expectedByKey[key] = value }
        #expect(decoded.count == expectedByKey.count, "\(what): \(decoded.map(\.key)) vs \(expectedByKey.keys.sorted())")
        #expect(Set(decoded.map(\.key)).count == decoded.count, "\(what): duplicate keys")
        // In order of key, by UTF-8 bytes: the same attributes make the same bytes in every process.
        let keys = decoded.map(\.key)
        #expect(keys == keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }, "\(what): not in order of key: \(keys)")
        for keyValue in decoded {
            guard let value = expectedByKey[keyValue.key] else {
                Issue.record("\(what): unexpected key \(keyValue.key)")
                continue
            }
            #expect(matches(keyValue.value, value), "\(what).\(keyValue.key): \(keyValue.value) vs \(value)")
        }
    }

    static func matches(_ decoded: Opentelemetry_Proto_Common_V1_AnyValue, _ expected: SpanAttribute) -> Bool {
        func double(_ a: Double, _ b: Double) -> Bool { a.bitPattern == b.bitPattern || (a.isNaN && b.isNaN) }
        func array(_ elements: [SpanAttribute]) -> Bool {
            guard case .arrayValue(let values)? = decoded.value, values.values.count == elements.count else { return false }
            return zip(values.values, elements).allSatisfy { matches($0, $1) }
        }
        switch (decoded.value, expected) {
        case (.stringValue(let a)?, .string(let b)): return a == b
        case (.stringValue(let a)?, .stringConvertible(let b)): return a == String(describing: b)
        case (.boolValue(let a)?, .bool(let b)): return a == b
        case (.intValue(let a)?, .int32(let b)): return a == Int64(b)
        case (.intValue(let a)?, .int64(let b)): return a == b
        case (.doubleValue(let a)?, .double(let b)): return double(a, b)
        case (_, .int32Array(let values)): return array(values.map { .int32($0) })
        case (_, .int64Array(let values)): return array(values.map { .int64($0) })
        case (_, .doubleArray(let values)): return array(values.map { .double($0) })
        case (_, .boolArray(let values)): return array(values.map { .bool($0) })
        case (_, .stringArray(let values)): return array(values.map { .string($0) })
        case (_, .stringConvertibleArray(let values)): return array(values.map { .string(String(describing: $0)) })
        default: return false
        }
    }
}

/// OTLP/JSON writes ids as hex; proto3 JSON (the generated decoder) reads bytes as base64.
enum OTLPJSON {
    static func withBase64IDs(_ bytes: [UInt8]) throws -> [UInt8] {
        func convert(_ node: Any) -> Any {
            if let object = node as? [String: Any] {
                var result: [String: Any] = [:]
                for (key, value) in object {
                    if ["traceId", "spanId", "parentSpanId"].contains(key), let hex = value as? String {
                        result[key] = Data(hexBytes(hex)).base64EncodedString()
                    } else {
                        result[key] = convert(value)
                    }
                }
                return result
            }
            if let array = node as? [Any] { return array.map(convert) }
            return node
        }
        let object = try JSONSerialization.jsonObject(with: Data(bytes))
        return Array(try JSONSerialization.data(withJSONObject: convert(object)))
    }

    static func hexBytes(_ hex: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex, let next = hex.index(index, offsetBy: 2, limitedBy: hex.endIndex) {
            bytes.append(UInt8(hex[index..<next], radix: 16) ?? 0xEE)
            index = next
        }
        return bytes
    }
}

/// A batch of span records drawn from a seed: the same seed, the same batch.
struct RandomSpans {
    var generator: SplitMix

    init(seed: UInt64) { generator = SplitMix(state: seed) }

    mutating func batch() -> [SpanRecord] {
        (0..<int(0...12)).map { _ in record() }
    }

    private mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &generator) }
    private mutating func chance(_ percent: Int) -> Bool { int(1...100) <= percent }

    private static let fragments = [
        "", "a", "GET /orders/{id}", "héllo wörld", "日本語", "emoji 🚀🧵", "quote \" backslash \\", "tab\tnewline\n",
        "control \u{1}\u{1f}", "nul \u{0} inside", String(repeating: "long ", count: 60),
    ]

    private mutating func text() -> String {
        Self.fragments[int(0...(Self.fragments.count - 1))] + (chance(30) ? String(int(0...999)) : "")
    }

    private mutating func double() -> Double {
        switch int(0...6) {
        case 0: .nan
        case 1: .infinity
        case 2: -.infinity
        case 3: 0
        case 4: -0.0
        case 5: .greatestFiniteMagnitude
        default: Double.random(in: -1e12...1e12, using: &generator)
        }
    }

    private mutating func int64() -> Int64 {
        switch int(0...4) {
        case 0: .min
        case 1: .max
        case 2: 0
        case 3: -1
        default: Int64.random(in: .min ... .max, using: &generator)
        }
    }

    private mutating func attribute() -> SpanAttribute {
        let count = int(0...4)
        switch int(0...11) {
        case 0: return .string(text())
        case 1: return .int32(Int32(truncatingIfNeeded: int64()))
        case 2: return .int64(int64())
        case 3: return .double(double())
        case 4: return .bool(chance(50))
        case 5: return .stringArray((0..<count).map { _ in text() })
        case 6: return .int32Array((0..<count).map { _ in Int32(truncatingIfNeeded: int64()) })
        case 7: return .int64Array((0..<count).map { _ in int64() })
        case 8: return .doubleArray((0..<count).map { _ in double() })
        case 9: return .boolArray((0..<count).map { _ in chance(50) })
        case 10: return .stringConvertible(int(0...1000))
        default: return .stringConvertibleArray((0..<count).map { _ in Double(int(0...9)) / 4 })
        }
    }

    private mutating func attributes(max: Int) -> SpanAttributes {
        var attributes = SpanAttributes()
        for index in 0..<int(0...max) {
            // Keys sharing long prefixes, non-ASCII and empty keys: the encoder sorts them.
            let prefixes = ["", "key.", "http.request.", "langfuse.observation.", "é", "日本"]
            attributes.set("\(prefixes[int(0...(prefixes.count - 1))])\(index).\(text().prefix(12))", value: attribute())
        }
        return attributes
    }

    private mutating func context() -> SpanContext {
        SpanContext(
            traceID: TraceID(high: UInt64.random(in: 0 ... .max, using: &generator), low: UInt64.random(in: 1 ... .max, using: &generator)),
            spanID: SpanID(UInt64.random(in: 1 ... .max, using: &generator)),
            traceFlags: chance(60) ? .sampled : TraceFlags(rawValue: UInt8.random(in: 0 ... .max, using: &generator)),
            traceState: chance(30) ? TraceState(header: "vendor\(int(0...9))=value\(int(0...99)),other=x") : TraceState(),
            isRemote: chance(30)
        )
    }

    private mutating func record() -> SpanRecord {
        let start = UInt64.random(in: 0...2_000_000_000_000_000_000, using: &generator)
        let kinds: [SpanKind] = [.internal, .server, .client, .producer, .consumer]
        let statuses: [SpanStatus?] = [nil, SpanStatus(code: .ok), SpanStatus(code: .error), SpanStatus(code: .error, message: text())]
        return SpanRecord(
            context: context(),
            parentSpanID: chance(70) ? SpanID(UInt64.random(in: 1 ... .max, using: &generator)) : nil,
            parentIsRemote: chance(20),
            name: text(),
            kind: kinds[int(0...4)],
            startNanoseconds: start,
            endNanoseconds: start + UInt64(int(0...1_000_000_000)),
            attributes: attributes(max: 12),
            events: (0..<int(0...3)).map { _ in
                SpanRecord.Event(
                    name: text(),
                    nanoseconds: start + UInt64(int(0...1000)),
                    attributes: attributes(max: 3),
                    droppedAttributeCount: chance(20) ? int(1...500) : 0
                )
            },
            links: (0..<int(0...2)).map { _ in
                SpanRecord.Link(context: context(), attributes: attributes(max: 2), droppedAttributeCount: chance(20) ? int(1...9) : 0)
            },
            status: statuses[int(0...3)],
            droppedAttributeCount: chance(20) ? int(1...100_000) : 0,
            droppedEventCount: chance(20) ? int(1...300) : 0,
            droppedLinkCount: chance(20) ? int(1...70_000) : 0
        )
    }
}
