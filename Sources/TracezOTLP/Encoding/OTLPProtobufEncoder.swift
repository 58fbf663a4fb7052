import Tracez

/// Encodes finished spans as an OTLP `ExportTraceServiceRequest` in protobuf, straight
/// from the records into bytes.
///
/// One `ResourceSpans` with the resource, one `ScopeSpans` with the scope, and every span
/// of the batch under them: spans of one resource and scope are grouped, never repeated.
/// The message definitions are opentelemetry-proto v1.9.0 (`../shared/otlp-proto`).
///
/// Written by hand rather than through swift-protobuf's generated message types, because
/// it is faster: PLACEHOLDER_MEASUREMENT
///
/// The resource and scope are encoded once, when the encoder is made. Each `encode` call
/// computes the exact size first, then writes into one buffer of that size: one allocation
/// per batch for the bytes, none per span.
///
/// Thread-safety: a value with no mutable state; `encode` may run on any number of tasks at once.
public struct OTLPProtobufEncoder: Sendable {
    public let resource: OTLPResource
    public let scope: OTLPInstrumentationScope
    /// The `Resource` and `InstrumentationScope` messages, encoded once.
    private let resourceMessage: [UInt8]
    private let scopeMessage: [UInt8]

    public init(resource: OTLPResource, scope: OTLPInstrumentationScope = .tracez) {
        self.resource = resource
        self.scope = scope
        var resourceWriter = ProtobufWriter(capacity: Self.attributesSize(resource.attributes))
        Self.writeAttributes(resource.attributes, field: 1, to: &resourceWriter)  // Resource.attributes
        resourceMessage = resourceWriter.bytes
        var scopeWriter = ProtobufWriter(capacity: 64)
        if !scope.name.isEmpty { scopeWriter.string(1, scope.name) }  // InstrumentationScope.name
        if let version = scope.version, !version.isEmpty { scopeWriter.string(2, version) }  // .version
        scopeMessage = scopeWriter.bytes
    }

    /// The request for `records`, ready to send (or to compress).
    public func encode(_ records: [SpanRecord]) -> [UInt8] {
        var spanSizes: [Int] = []
        spanSizes.reserveCapacity(records.count)
        var spansSize = 0
        for record in records {
            let size = Self.spanSize(record)
            spanSizes.append(size)
            spansSize += ProtobufWriter.lengthDelimitedSize(size)
        }
        let scopeSpansSize = ProtobufWriter.lengthDelimitedSize(scopeMessage.count) + spansSize
        let resourceSpansSize = ProtobufWriter.lengthDelimitedSize(resourceMessage.count)
            + ProtobufWriter.lengthDelimitedSize(scopeSpansSize)

        var writer = ProtobufWriter(capacity: ProtobufWriter.lengthDelimitedSize(resourceSpansSize))
        writer.lengthDelimitedHeader(1, length: resourceSpansSize)  // ExportTraceServiceRequest.resource_spans
        writer.lengthDelimitedHeader(1, length: resourceMessage.count)  // ResourceSpans.resource
        writer.appendBytes(resourceMessage)
        writer.lengthDelimitedHeader(2, length: scopeSpansSize)  // ResourceSpans.scope_spans
        writer.lengthDelimitedHeader(1, length: scopeMessage.count)  // ScopeSpans.scope
        writer.appendBytes(scopeMessage)
        for (record, size) in zip(records, spanSizes) {
            writer.lengthDelimitedHeader(2, length: size)  // ScopeSpans.spans
            Self.writeSpan(record, to: &writer)
        }
        return writer.bytes
    }

    // MARK: - Span

    /// `Span.flags`: the W3C trace flags in the low byte, and bits 8 and 9 (`HAS_IS_REMOTE`,
    /// `IS_REMOTE`) saying whether the parent is remote, which Tracez always knows.
    static func flags(_ traceFlags: TraceFlags, isRemote: Bool) -> UInt32 {
        UInt32(traceFlags.rawValue) | 0x100 | (isRemote ? 0x200 : 0)
    }

    static func kind(_ kind: SpanKind) -> UInt64 {
        switch kind {
        case .internal: 1
        case .server: 2
        case .client: 3
        case .producer: 4
        case .consumer: 5
        }
    }

    static func statusCode(_ code: SpanStatus.Code) -> UInt64 {
        switch code {
        case .ok: 1
        case .error: 2
        }
    }

    static func spanSize(_ record: SpanRecord) -> Int {
        var size = 18 + 10  // trace_id (16 bytes), span_id (8 bytes): tag, length, bytes
        let traceState = record.context.traceState
        if !traceState.isEmpty { size += ProtobufWriter.lengthDelimitedSize(traceState.headerValue.utf8.count) }
        if record.parentSpanID != nil { size += 10 }
        size += 2 + 4  // flags: field 16 takes a 2-byte tag
        let name = record.name
        if !name.isEmpty { size += ProtobufWriter.lengthDelimitedSize(name.utf8.count) }
        size += 2  // kind
        if record.startNanoseconds != 0 { size += 9 }
        if record.endNanoseconds != 0 { size += 9 }
        size += attributesSize(record.attributes)
        size += countSize(record.droppedAttributeCount)
        record.forEachEvent { event in size += ProtobufWriter.lengthDelimitedSize(eventSize(event)) }
        size += countSize(record.droppedEventCount)
        for link in record.links { size += ProtobufWriter.lengthDelimitedSize(linkSize(link)) }
        size += countSize(record.droppedLinkCount)
        if let status = record.status { size += ProtobufWriter.lengthDelimitedSize(statusSize(status)) }
        return size
    }

    static func writeSpan(_ record: SpanRecord, to writer: inout ProtobufWriter) {
        let context = record.context
        writer.lengthDelimitedHeader(1, length: 16)  // trace_id
        writer.bigEndian(context.traceID.high)
        writer.bigEndian(context.traceID.low)
        writer.lengthDelimitedHeader(2, length: 8)  // span_id
        writer.bigEndian(context.spanID.value)
        if !context.traceState.isEmpty { writer.string(3, context.traceState.headerValue) }
        if let parent = record.parentSpanID {
            writer.lengthDelimitedHeader(4, length: 8)  // parent_span_id
            writer.bigEndian(parent.value)
        }
        let name = record.name
        if !name.isEmpty { writer.string(5, name) }
        writer.tag(6, .varint)  // kind
        writer.varint(kind(record.kind))
        if record.startNanoseconds != 0 {
            writer.tag(7, .fixed64)
            writer.fixed64(record.startNanoseconds)
        }
        if record.endNanoseconds != 0 {
            writer.tag(8, .fixed64)
            writer.fixed64(record.endNanoseconds)
        }
        writeAttributes(record.attributes, field: 9, to: &writer)
        writeCount(record.droppedAttributeCount, field: 10, to: &writer)
        record.forEachEvent { event in
            writer.lengthDelimitedHeader(11, length: eventSize(event))
            writeEvent(event, to: &writer)
        }
        writeCount(record.droppedEventCount, field: 12, to: &writer)
        for link in record.links {
            writer.lengthDelimitedHeader(13, length: linkSize(link))
            writeLink(link, to: &writer)
        }
        writeCount(record.droppedLinkCount, field: 14, to: &writer)
        if let status = record.status {
            writer.lengthDelimitedHeader(15, length: statusSize(status))
            if let message = status.message, !message.isEmpty { writer.string(2, message) }
            writer.tag(3, .varint)
            writer.varint(statusCode(status.code))
        }
        writer.tag(16, .fixed32)
        writer.fixed32(flags(context.traceFlags, isRemote: record.parentIsRemote))
    }

    static func statusSize(_ status: SpanStatus) -> Int {
        var size = 2  // code
        if let message = status.message, !message.isEmpty { size += ProtobufWriter.lengthDelimitedSize(message.utf8.count) }
        return size
    }

    // MARK: - Events and links

    static func eventSize(_ event: SpanRecord.Event) -> Int {
        var size = event.nanoseconds != 0 ? 9 : 0
        if !event.name.isEmpty { size += ProtobufWriter.lengthDelimitedSize(event.name.utf8.count) }
        size += attributesSize(event.attributes)
        size += countSize(event.droppedAttributeCount)
        return size
    }

    static func writeEvent(_ event: SpanRecord.Event, to writer: inout ProtobufWriter) {
        if event.nanoseconds != 0 {
            writer.tag(1, .fixed64)
            writer.fixed64(event.nanoseconds)
        }
        if !event.name.isEmpty { writer.string(2, event.name) }
        writeAttributes(event.attributes, field: 3, to: &writer)
        writeCount(event.droppedAttributeCount, field: 4, to: &writer)
    }

    static func linkSize(_ link: SpanRecord.Link) -> Int {
        var size = 18 + 10 + 5  // trace_id, span_id, flags (fixed32, field 6)
        if !link.context.traceState.isEmpty {
            size += ProtobufWriter.lengthDelimitedSize(link.context.traceState.headerValue.utf8.count)
        }
        size += attributesSize(link.attributes)
        size += countSize(link.droppedAttributeCount)
        return size
    }

    static func writeLink(_ link: SpanRecord.Link, to writer: inout ProtobufWriter) {
        let context = link.context
        writer.lengthDelimitedHeader(1, length: 16)
        writer.bigEndian(context.traceID.high)
        writer.bigEndian(context.traceID.low)
        writer.lengthDelimitedHeader(2, length: 8)
        writer.bigEndian(context.spanID.value)
        if !context.traceState.isEmpty { writer.string(3, context.traceState.headerValue) }
        writeAttributes(link.attributes, field: 4, to: &writer)
        writeCount(link.droppedAttributeCount, field: 5, to: &writer)
        writer.tag(6, .fixed32)
        writer.fixed32(flags(context.traceFlags, isRemote: context.isRemote))
    }

    // MARK: - Counts

    /// A `uint32` count field: omitted when 0 (the proto3 default), capped at `UInt32.max`.
    static func countSize(_ count: Int) -> Int {
        count > 0 ? 1 + ProtobufWriter.varintSize(UInt64(UInt32(clamping: count))) : 0
    }

    static func writeCount(_ count: Int, field: Int, to writer: inout ProtobufWriter) {
        guard count > 0 else { return }
        writer.tag(field, .varint)
        writer.varint(UInt64(UInt32(clamping: count)))
    }

    // MARK: - Attributes (KeyValue, AnyValue, ArrayValue)

    static func attributesSize(_ attributes: SpanAttributes) -> Int {
        var size = 0
        attributes.forEach { key, value in
            size += ProtobufWriter.lengthDelimitedSize(keyValueSize(key, value))
        }
        return size
    }

    static func writeAttributes(_ attributes: SpanAttributes, field: Int, to writer: inout ProtobufWriter) {
        attributes.forEach { key, value in
            writer.lengthDelimitedHeader(field, length: keyValueSize(key, value))
            writer.string(1, key)  // KeyValue.key
            writer.lengthDelimitedHeader(2, length: anyValueSize(value))  // KeyValue.value
            writeAnyValue(value, to: &writer)
        }
    }

    static func keyValueSize(_ key: String, _ value: SpanAttribute) -> Int {
        ProtobufWriter.lengthDelimitedSize(key.utf8.count) + ProtobufWriter.lengthDelimitedSize(anyValueSize(value))
    }

    /// The `AnyValue` message's size. Its oneof field is written even at its default value
    /// (an empty string, `false`, 0), so a decoder sees which kind the value has.
    static func anyValueSize(_ value: SpanAttribute) -> Int {
        switch value {
        case .string(let string): ProtobufWriter.lengthDelimitedSize(string.utf8.count)
        case .stringConvertible(let convertible): ProtobufWriter.lengthDelimitedSize(String(describing: convertible).utf8.count)
        case .bool: 2
        case .int32(let int): 1 + ProtobufWriter.varintSize(UInt64(bitPattern: Int64(int)))
        case .int64(let int): 1 + ProtobufWriter.varintSize(UInt64(bitPattern: int))
        case .double: 9
        default: ProtobufWriter.lengthDelimitedSize(arrayValueSize(elements(of: value)))
        }
    }

    static func writeAnyValue(_ value: SpanAttribute, to writer: inout ProtobufWriter) {
        switch value {
        case .string(let string):
            writer.string(1, string)
        case .stringConvertible(let convertible):
            writer.string(1, String(describing: convertible))
        case .bool(let bool):
            writer.tag(2, .varint)
            writer.varint(bool ? 1 : 0)
        case .int32(let int):
            writer.tag(3, .varint)
            writer.varint(UInt64(bitPattern: Int64(int)))
        case .int64(let int):
            writer.tag(3, .varint)
            writer.varint(UInt64(bitPattern: int))
        case .double(let double):
            writer.tag(4, .fixed64)
            writer.fixed64(double.bitPattern)
        default:
            let elements = elements(of: value)
            writer.lengthDelimitedHeader(5, length: arrayValueSize(elements))  // AnyValue.array_value
            for element in elements {
                writer.lengthDelimitedHeader(1, length: anyValueSize(element))  // ArrayValue.values
                writeAnyValue(element, to: &writer)
            }
        }
    }

    static func arrayValueSize(_ elements: [SpanAttribute]) -> Int {
        elements.reduce(0) { $0 + ProtobufWriter.lengthDelimitedSize(anyValueSize($1)) }
    }

    /// The elements of an array attribute as scalar attributes; `[]` for a scalar.
    /// Arrays are rare on spans: this allocation is not on the common path.
    static func elements(of value: SpanAttribute) -> [SpanAttribute] {
        switch value {
        case .int32Array(let values): values.map { .int32($0) }
        case .int64Array(let values): values.map { .int64($0) }
        case .doubleArray(let values): values.map { .double($0) }
        case .boolArray(let values): values.map { .bool($0) }
        case .stringArray(let values): values.map { .string($0) }
        case .stringConvertibleArray(let values): values.map { .string(String(describing: $0)) }
        default: []
        }
    }
}
