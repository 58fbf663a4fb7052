import Tracez

/// Encodes finished spans as an OTLP `ExportTraceServiceRequest` in OTLP/JSON
/// (`OTEL_EXPORTER_OTLP_PROTOCOL=http/json`).
///
/// Follows the OTLP JSON rules (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding):
/// lowerCamelCase field names, trace and span ids as lowercase hex (not base64), enums as
/// integers, 64-bit integers and times as decimal strings, default values left out.
/// Doubles that JSON cannot hold are written as proto3 JSON does: `"NaN"`, `"Infinity"`,
/// `"-Infinity"`. The same grouping as ``OTLPProtobufEncoder``: one resource, one scope;
/// attributes in the same order, by key.
///
/// The resource and scope are written once, when the encoder is made; each `encode` call
/// writes the spans into one growing array (Tracez's `JSONWriter`), about 2.5 times the size
/// of the protobuf body.
///
/// Thread-safety: a value with no mutable state; `encode` may run on any number of tasks at once.
///
/// Benchmarks SPI (`@_spi(Benchmarks) import TracezOTLP`): not part of the API users write;
/// public only so that Benchmarks/ can measure it on its own.
@_spi(Benchmarks) public struct OTLPJSONEncoder: Sendable {
    public let resource: OTLPResource
    public let scope: OTLPInstrumentationScope

    /// The request's text up to its first span, written once.
    private let prefix: [UInt8]

    public init(resource: OTLPResource, scope: OTLPInstrumentationScope = .tracez) {
        self.resource = resource
        self.scope = scope
        prefix = Self.prefix(resource: resource, scope: scope)
    }

    /// The request for `records`, as UTF-8 JSON.
    public func encode(_ records: [SpanRecord]) -> [UInt8] {
        var json = JSONWriter(capacity: prefix.count + 8 + records.count * Self.expectedBytesPerSpan)
        json.append(prefix)
        for (index, record) in records.enumerated() {
            if index > 0 { json.byte(UInt8(ascii: ",")) }
            Self.span(record, into: &json)
        }
        json.raw("]}]}]}")
        return json.bytes
    }

    /// What a span with a few attributes and an event takes (523 bytes for the benchmark's span).
    static let expectedBytesPerSpan = 600

    /// Everything before the first span: the resource and the scope.
    static func prefix(resource: OTLPResource, scope: OTLPInstrumentationScope) -> [UInt8] {
        var json = JSONWriter(capacity: 512)
        json.raw(#"{"resourceSpans":[{"resource":{"#)
        var first = true
        attributes(resource.attributes, first: &first, into: &json)
        json.raw(#"},"scopeSpans":[{"scope":{"#)
        first = true
        if !scope.name.isEmpty {
            member("name", first: &first, into: &json)
            json.string(scope.name)
        }
        if let version = scope.version, !version.isEmpty {
            member("version", first: &first, into: &json)
            json.string(version)
        }
        json.raw(#"},"spans":["#)
        return json.bytes
    }

    /// `,"name":` (no comma before the first member of an object).
    @inline(__always)
    static func member(_ name: StaticString, first: inout Bool, into json: inout JSONWriter) {
        if !first { json.byte(UInt8(ascii: ",")) }
        first = false
        json.byte(UInt8(ascii: "\""))
        json.raw(name)
        json.raw(#"":"#)
    }

    /// `traceId`, `spanId` and `traceState`, the members a span and a link share.
    static func ids(of context: SpanContext, first: inout Bool, into json: inout JSONWriter) {
        member("traceId", first: &first, into: &json)
        json.hexID(high: context.traceID.high, low: context.traceID.low)
        member("spanId", first: &first, into: &json)
        json.hexID(context.spanID.value)
        if !context.traceState.isEmpty {
            member("traceState", first: &first, into: &json)
            json.string(context.traceState.headerValue)
        }
    }

    static func span(_ record: SpanRecord, into json: inout JSONWriter) {
        let context = record.context
        var first = true
        json.byte(UInt8(ascii: "{"))
        ids(of: context, first: &first, into: &json)
        if let parent = record.parentSpanID {
            member("parentSpanId", first: &first, into: &json)
            json.hexID(parent.value)
        }
        member("flags", first: &first, into: &json)
        json.unsigned(UInt64(OTLPProtobufEncoder.flags(context.traceFlags, isRemote: record.parentIsRemote)))
        let name = record.name
        if !name.isEmpty {
            member("name", first: &first, into: &json)
            json.string(name)
        }
        member("kind", first: &first, into: &json)
        json.unsigned(OTLPProtobufEncoder.kind(record.kind))
        let start = record.startNanoseconds
        if start != 0 {
            member("startTimeUnixNano", first: &first, into: &json)
            json.quoted(start)
        }
        let end = record.endNanoseconds
        if end != 0 {
            member("endTimeUnixNano", first: &first, into: &json)
            json.quoted(end)
        }
        let maxTextBytes = record.maxAttributeValueBytes
        attributes(record, maxTextBytes: maxTextBytes, first: &first, into: &json)
        count("droppedAttributesCount", record.droppedAttributeCount, first: &first, into: &json)
        if record.eventCount > 0 {
            member("events", first: &first, into: &json)
            json.byte(UInt8(ascii: "["))
            var firstEvent = true
            record.forEachEvent { event in
                if !firstEvent { json.byte(UInt8(ascii: ",")) }
                firstEvent = false
                Self.event(event, maxTextBytes: maxTextBytes, into: &json)
            }
            json.byte(UInt8(ascii: "]"))
        }
        count("droppedEventsCount", record.droppedEventCount, first: &first, into: &json)
        let links = record.links
        if !links.isEmpty {
            member("links", first: &first, into: &json)
            json.byte(UInt8(ascii: "["))
            for (index, link) in links.enumerated() {
                if index > 0 { json.byte(UInt8(ascii: ",")) }
                Self.link(link, maxTextBytes: maxTextBytes, into: &json)
            }
            json.byte(UInt8(ascii: "]"))
        }
        count("droppedLinksCount", record.droppedLinkCount, first: &first, into: &json)
        if let status = record.status {
            member("status", first: &first, into: &json)
            json.byte(UInt8(ascii: "{"))
            var firstInStatus = true
            if let message = status.message, !message.isEmpty {
                member("message", first: &firstInStatus, into: &json)
                json.string(message)
            }
            member("code", first: &firstInStatus, into: &json)
            json.unsigned(OTLPProtobufEncoder.statusCode(status.code))
            json.byte(UInt8(ascii: "}"))
        }
        json.byte(UInt8(ascii: "}"))
    }

    static func event(_ event: SpanRecord.Event, maxTextBytes: Int, into json: inout JSONWriter) {
        var first = true
        json.byte(UInt8(ascii: "{"))
        if event.nanoseconds != 0 {
            member("timeUnixNano", first: &first, into: &json)
            json.quoted(event.nanoseconds)
        }
        if !event.name.isEmpty {
            member("name", first: &first, into: &json)
            json.string(event.name)
        }
        attributes(event.attributes, maxTextBytes: maxTextBytes, first: &first, into: &json)
        count("droppedAttributesCount", event.droppedAttributeCount, first: &first, into: &json)
        json.byte(UInt8(ascii: "}"))
    }

    static func link(_ link: SpanRecord.Link, maxTextBytes: Int, into json: inout JSONWriter) {
        let context = link.context
        var first = true
        json.byte(UInt8(ascii: "{"))
        ids(of: context, first: &first, into: &json)
        attributes(link.attributes, maxTextBytes: maxTextBytes, first: &first, into: &json)
        count("droppedAttributesCount", link.droppedAttributeCount, first: &first, into: &json)
        member("flags", first: &first, into: &json)
        json.unsigned(UInt64(OTLPProtobufEncoder.flags(context.traceFlags, isRemote: context.isRemote)))
        json.byte(UInt8(ascii: "}"))
    }

    /// A `uint32` count: left out when 0 (the proto3 default), capped at `UInt32.max`.
    static func count(_ name: StaticString, _ count: Int, first: inout Bool, into json: inout JSONWriter) {
        guard count > 0 else { return }
        member(name, first: &first, into: &json)
        json.unsigned(UInt64(UInt32(clamping: count)))
    }

    /// `"attributes":[{"key":…,"value":{…}},…]` in order of key; nothing for no attributes.
    /// `maxTextBytes` caps the text of `stringConvertible` values, formatted here, once.
    static func attributes(
        _ attributes: some AttributeWalk, maxTextBytes: Int = .max, first: inout Bool, into json: inout JSONWriter
    ) {
        guard attributes.attributeCount > 0 else { return }
        member("attributes", first: &first, into: &json)
        json.byte(UInt8(ascii: "["))
        var firstAttribute = true
        attributes.forEachSortedByKey { key, value in
            if !firstAttribute { json.byte(UInt8(ascii: ",")) }
            firstAttribute = false
            json.raw(#"{"key":"#)
            json.string(key)
            json.raw(#","value":"#)
            anyValue(value, maxTextBytes: maxTextBytes, into: &json)
            json.byte(UInt8(ascii: "}"))
        }
        json.byte(UInt8(ascii: "]"))
    }

    /// An `AnyValue` object. Its one member is written even at its default value (`""`,
    /// `false`, `"0"`), so a reader sees which kind the value has.
    static func anyValue(_ value: SpanAttribute, maxTextBytes: Int = .max, into json: inout JSONWriter) {
        switch value {
        case .string(let string):
            json.raw(#"{"stringValue":"#)
            json.string(string)
        case .stringConvertible(let convertible):
            json.raw(#"{"stringValue":"#)
            json.string(SpanLimits.exportText(convertible, maxBytes: maxTextBytes))
        case .bool(let bool):
            json.raw(#"{"boolValue":"#)
            json.bool(bool)
        case .int32(let int):
            json.raw(#"{"intValue":"#)
            json.quoted(Int64(int))
        case .int64(let int):
            json.raw(#"{"intValue":"#)
            json.quoted(int)
        case .double(let double):
            json.raw(#"{"doubleValue":"#)
            json.double(double)
        case .int32Array(let values):
            array(values, into: &json) { anyValue(.int32($1), into: &$0) }
            return
        case .int64Array(let values):
            array(values, into: &json) { anyValue(.int64($1), into: &$0) }
            return
        case .doubleArray(let values):
            array(values, into: &json) { anyValue(.double($1), into: &$0) }
            return
        case .boolArray(let values):
            array(values, into: &json) { anyValue(.bool($1), into: &$0) }
            return
        case .stringArray(let values):
            array(values, into: &json) { anyValue(.string($1), into: &$0) }
            return
        case .stringConvertibleArray(let values):
            array(values, into: &json) { anyValue(.string(SpanLimits.exportText($1, maxBytes: maxTextBytes)), into: &$0) }
            return
        default:
            // A kind added to SpanAttribute after this was written: an empty AnyValue, as in protobuf.
            json.byte(UInt8(ascii: "{"))
        }
        json.byte(UInt8(ascii: "}"))
    }

    /// `{"arrayValue":{"values":[…]}}`, or `{"arrayValue":{}}` for an empty array.
    static func array<Element>(
        _ elements: [Element],
        into json: inout JSONWriter,
        _ writeElement: (inout JSONWriter, Element) -> Void
    ) {
        guard !elements.isEmpty else {
            json.raw(#"{"arrayValue":{}}"#)
            return
        }
        json.raw(#"{"arrayValue":{"values":["#)
        for (index, element) in elements.enumerated() {
            if index > 0 { json.byte(UInt8(ascii: ",")) }
            writeElement(&json, element)
        }
        json.raw("]}}")
    }
}
