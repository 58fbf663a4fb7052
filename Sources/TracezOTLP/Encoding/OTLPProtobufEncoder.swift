import Tracez

/// Encodes finished spans as an OTLP `ExportTraceServiceRequest` in protobuf, straight
/// from the records into bytes.
///
/// One `ResourceSpans` with the resource, one `ScopeSpans` with the scope, and every span
/// of the batch under them: spans of one resource and scope are grouped, never repeated.
/// The message definitions are opentelemetry-proto v1.9.0.
///
/// Written by hand rather than through swift-protobuf's generated message types, because
/// it is about 12 times faster for the same bytes: see "OTLP protobuf encode" in
/// `Docs/Performance.md` for the figures and the command (package-benchmark, Benchmarks/),
/// which puts this encoder beside building swift-protobuf's messages from the same records
/// and serializing them, and records the designs measured and not kept.
///
/// The resource and scope are encoded once, when the encoder is made. Each `encode` call
/// writes every span in one pass into one growing buffer, patching each nested message's
/// length in after its body (``ProtobufWriter``), and copies the result into the returned
/// array once: no allocation per span, apart from a trace state's header text and a
/// `stringConvertible` attribute's `description`. Attributes are written in order of key, so the same
/// records make the same bytes in every process.
///
/// Thread-safety: a value with no mutable state; `encode` may run on any number of tasks at once.
///
/// Benchmarks SPI (`@_spi(Benchmarks) import TracezOTLP`): not part of the API users write;
/// public only so that Benchmarks/ can measure it on its own.
@_spi(Benchmarks) public struct OTLPProtobufEncoder: Sendable {
    public let resource: OTLPResource
    public let scope: OTLPInstrumentationScope
    /// The `Resource` and `InstrumentationScope` messages, encoded once.
    private let resourceMessage: [UInt8]
    private let scopeMessage: [UInt8]

    public init(resource: OTLPResource, scope: OTLPInstrumentationScope = .tracez) {
        self.resource = resource
        self.scope = scope
        var resourceWriter = ProtobufWriter(capacity: 256)
        Self.writeAttributes(resource.attributes, field: 1, to: &resourceWriter)  // Resource.attributes
        resourceMessage = resourceWriter.finish()
        var scopeWriter = ProtobufWriter(capacity: 64)
        if !scope.name.isEmpty { scopeWriter.string(1, scope.name) }  // InstrumentationScope.name
        if let version = scope.version, !version.isEmpty { scopeWriter.string(2, version) }  // .version
        scopeMessage = scopeWriter.finish()
    }

    /// The request for `records`, ready to send (or to compress).
    ///
    /// - Complexity: O(total size of the records): one pass over them. The writer starts
    ///   with room for ``expectedBytesPerSpan`` per record, grows by doubling if that was
    ///   short, and the result is copied once into the returned array.
    public func encode(_ records: [SpanRecord]) -> [UInt8] {
        let expected = 32 + resourceMessage.count + scopeMessage.count + records.count * Self.expectedBytesPerSpan
        var writer = ProtobufWriter(capacity: expected)
        // Guess the outer lengths' widths from the expected size: a wrong guess moves the batch once.
        let outerWidth = ProtobufWriter.varintSize(UInt64(expected))
        let resourceSpans = writer.beginMessage(1, lengthWidth: outerWidth)  // ExportTraceServiceRequest.resource_spans
        writer.message(1, encoded: resourceMessage)  // ResourceSpans.resource
        let scopeSpans = writer.beginMessage(2, lengthWidth: outerWidth)  // ResourceSpans.scope_spans
        writer.message(1, encoded: scopeMessage)  // ScopeSpans.scope
        for record in records {
            let span = writer.beginMessage(2, lengthWidth: 2)  // ScopeSpans.spans: 128 bytes to 16 KiB
            Self.writeSpan(record, to: &writer)
            writer.endMessage(span)
        }
        writer.endMessage(scopeSpans)
        writer.endMessage(resourceSpans)
        return writer.finish()
    }

    /// What a span with a few attributes and an event takes (218 bytes for the benchmark's span).
    static let expectedBytesPerSpan = 256

    // MARK: - Span

    /// `Span.flags`: the W3C trace flags in the low byte, and bits 8 and 9 (`HAS_IS_REMOTE`,
    /// `IS_REMOTE`) saying whether the parent is remote, which Tracez always knows.
    static func flags(_ traceFlags: TraceFlags, isRemote: Bool) -> UInt32 {
        UInt32(traceFlags.rawValue) | 0x100 | (isRemote ? 0x200 : 0)
    }

    static func kind(_ kind: SpanKind) -> UInt64 {
        // proto's SPAN_KIND_UNSPECIFIED is 0, so each kind is one more than its position.
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

    /// A `Span` message's fields (the caller writes its tag and length).
    static func writeSpan(_ record: SpanRecord, to writer: inout ProtobufWriter) {
        let context = record.context
        writer.id(1, high: context.traceID.high, low: context.traceID.low)  // trace_id
        writer.id(2, context.spanID.value)  // span_id
        if !context.traceState.isEmpty { writer.string(3, context.traceState.headerValue) }  // trace_state
        if let parent = record.parentSpanID { writer.id(4, parent.value) }  // parent_span_id: absent for a root
        let name = record.name
        if !name.isEmpty { writer.string(5, name) }
        writer.tag(6, .varint)  // kind
        writer.varint(kind(record.kind))
        let start = record.startNanoseconds
        if start != 0 {
            writer.tag(7, .fixed64)
            writer.fixed64(start)
        }
        let end = record.endNanoseconds
        if end != 0 {
            writer.tag(8, .fixed64)
            writer.fixed64(end)
        }
        let maxTextBytes = record.maxAttributeValueBytes
        writeAttributes(of: record, field: 9, maxTextBytes: maxTextBytes, to: &writer)
        writeCount(record.droppedAttributeCount, field: 10, to: &writer)
        record.forEachEvent { event in
            let message = writer.beginMessage(11)  // events
            writeEvent(event, maxTextBytes: maxTextBytes, to: &writer)
            writer.endMessage(message)
        }
        writeCount(record.droppedEventCount, field: 12, to: &writer)
        for link in record.links {
            let message = writer.beginMessage(13)  // links
            writeLink(link, maxTextBytes: maxTextBytes, to: &writer)
            writer.endMessage(message)
        }
        writeCount(record.droppedLinkCount, field: 14, to: &writer)
        if let status = record.status {
            let message = writer.beginMessage(15)  // status
            if let text = status.message, !text.isEmpty { writer.string(2, text) }
            writer.tag(3, .varint)
            writer.varint(statusCode(status.code))
            writer.endMessage(message)
        }
        writer.tag(16, .fixed32)  // flags
        writer.fixed32(flags(context.traceFlags, isRemote: record.parentIsRemote))
    }

    // MARK: - Events and links

    static func writeEvent(_ event: SpanRecord.Event, maxTextBytes: Int, to writer: inout ProtobufWriter) {
        if event.nanoseconds != 0 {
            writer.tag(1, .fixed64)  // time_unix_nano
            writer.fixed64(event.nanoseconds)
        }
        if !event.name.isEmpty { writer.string(2, event.name) }
        writeAttributes(event.attributes, field: 3, maxTextBytes: maxTextBytes, to: &writer)
        writeCount(event.droppedAttributeCount, field: 4, to: &writer)
    }

    static func writeLink(_ link: SpanRecord.Link, maxTextBytes: Int, to writer: inout ProtobufWriter) {
        let context = link.context
        writer.id(1, high: context.traceID.high, low: context.traceID.low)
        writer.id(2, context.spanID.value)
        if !context.traceState.isEmpty { writer.string(3, context.traceState.headerValue) }
        writeAttributes(link.attributes, field: 4, maxTextBytes: maxTextBytes, to: &writer)
        writeCount(link.droppedAttributeCount, field: 5, to: &writer)
        writer.tag(6, .fixed32)
        writer.fixed32(flags(context.traceFlags, isRemote: context.isRemote))
    }

    // MARK: - Counts

    /// A `uint32` count field: omitted when 0 (the proto3 default), capped at `UInt32.max`.
    @inline(__always)
    static func writeCount(_ count: Int, field: Int, to writer: inout ProtobufWriter) {
        guard count > 0 else { return }
        writer.tag(field, .varint)
        writer.varint(UInt64(UInt32(clamping: count)))
    }

    // MARK: - Attributes (KeyValue, AnyValue, ArrayValue)

    /// One `KeyValue` field per attribute, in order of key: the same attributes make the same
    /// bytes in every process, whose dictionaries each iterate in their own order. The fields
    /// are written in the dictionary's order and then sorted where they lie
    /// (``ProtobufWriter/sortFields(_:)``).
    /// `maxTextBytes` caps the text of `stringConvertible` values (the span's
    /// `SpanLimits.maxAttributeValueBytes`), which are formatted here, once.
    static func writeAttributes(_ attributes: some AttributeWalk, field: Int, maxTextBytes: Int = .max, to writer: inout ProtobufWriter) {
        let count = attributes.attributeCount
        guard count > 1 else {
            attributes.forEachAttribute { key, value in _ = writeKeyValue(key, value, field: field, maxTextBytes: maxTextBytes, to: &writer) }
            return
        }
        withUnsafeTemporaryAllocation(of: ProtobufWriter.SortableField.self, capacity: count) { fields in
            var written = 0
            attributes.forEachAttribute { key, value in
                guard written < count else { return }
                (fields.baseAddress! + written).initialize(to: writeKeyValue(key, value, field: field, maxTextBytes: maxTextBytes, to: &writer))
                written += 1
            }
            writer.sortFields(UnsafeMutableBufferPointer(rebasing: fields[..<written]))
        }
    }

    /// A record's attributes, both stores (TZ-0001) walked apart, without building a dictionary
    /// or turning a typed value into a `SpanAttribute` (benchmark "OTLP protobuf encode, 4 typed
    /// attributes + event": the walk through ``SpanRecord/forEachAttribute(_:)`` copied each
    /// value across a call it could not inline). Sorted by key as ``writeAttributes(_:field:maxTextBytes:to:)`` sorts.
    static func writeAttributes(of record: SpanRecord, field: Int, maxTextBytes: Int, to writer: inout ProtobufWriter) {
        let count = record.attributeCount
        guard count > 0 else { return }
        let standard = record.standardAttributes
        withUnsafeTemporaryAllocation(of: ProtobufWriter.SortableField.self, capacity: count) { fields in
            var written = 0
            standard.forEach { key, value in
                guard written < count else { return }
                let field = writeKeyValue(key, field: field, to: &writer) { writeAnyValue(value, maxTextBytes: maxTextBytes, to: &$0) }
                (fields.baseAddress! + written).initialize(to: field)
                written += 1
            }
            record.forEachTypedAttribute { key, value in
                guard written < count else { return }
                (fields.baseAddress! + written).initialize(to: writeKeyValue(key, field: field, to: &writer) { writeAnyValue(value, to: &$0) })
                written += 1
            }
            if written > 1 { writer.sortFields(UnsafeMutableBufferPointer(rebasing: fields[..<written])) }
        }
    }

    @inline(__always)
    static func writeKeyValue(
        _ key: String,
        _ value: SpanAttribute,
        field: Int,
        maxTextBytes: Int,
        to writer: inout ProtobufWriter
    ) -> ProtobufWriter.SortableField {
        writeKeyValue(key, field: field, to: &writer) { writeAnyValue(value, maxTextBytes: maxTextBytes, to: &$0) }
    }

    /// A `KeyValue` field whose `AnyValue`'s fields `writeValue` writes.
    @inline(__always)
    static func writeKeyValue(
        _ key: String,
        field: Int,
        to writer: inout ProtobufWriter,
        value writeValue: (inout ProtobufWriter) -> Void
    ) -> ProtobufWriter.SortableField {
        let start = writer.count
        let keyValue = writer.beginMessage(field)
        let keyBytes = writer.string(1, key)  // KeyValue.key
        let anyValue = writer.beginMessage(2)  // KeyValue.value
        writeValue(&writer)
        writer.endMessage(anyValue)
        let shift = writer.endMessage(keyValue)
        return writer.sortableField(start: start, keyOffset: keyBytes.offset + shift, keyLength: keyBytes.length)
    }

    /// An `AnyValue` message's fields for a typed attribute, as ``writeAnyValue(_:maxTextBytes:to:)``
    /// writes the same value as a `SpanAttribute`.
    static func writeAnyValue(_ value: CompactAttributes.Value, to writer: inout ProtobufWriter) {
        switch value {
        case .string(let string):
            writer.string(1, string)
        case .bool(let bool):
            writer.tag(2, .varint)
            writer.varint(bool ? 1 : 0)
        case .int(let int):
            writer.tag(3, .varint)
            writer.varint(UInt64(bitPattern: int))
        case .double(let double):
            writer.tag(4, .fixed64)
            writer.fixed64(double.bitPattern)
        }
    }

    /// An `AnyValue` message's fields. Its oneof field is written even at its default value
    /// (an empty string, `false`, 0), so a decoder sees which kind the value has. A
    /// `stringConvertible` value's `description` is read once.
    static func writeAnyValue(_ value: SpanAttribute, maxTextBytes: Int = .max, to writer: inout ProtobufWriter) {
        switch value {
        case .string(let string):
            writer.string(1, string)
        case .stringConvertible(let convertible):
            writer.string(1, SpanLimits.exportText(convertible, maxBytes: maxTextBytes))
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
            writer.fixed64(double.bitPattern)  // NaN and infinities as they are: protobuf holds any double
        case .int32Array(let values):
            writeArray(values, to: &writer) { writeAnyValue(.int32($1), to: &$0) }
        case .int64Array(let values):
            writeArray(values, to: &writer) { writeAnyValue(.int64($1), to: &$0) }
        case .doubleArray(let values):
            writeArray(values, to: &writer) { writeAnyValue(.double($1), to: &$0) }
        case .boolArray(let values):
            writeArray(values, to: &writer) { writeAnyValue(.bool($1), to: &$0) }
        case .stringArray(let values):
            writeArray(values, to: &writer) { $0.string(1, $1) }
        case .stringConvertibleArray(let values):
            writeArray(values, to: &writer) { $0.string(1, SpanLimits.exportText($1, maxBytes: maxTextBytes)) }
        default:
            // A kind added to SpanAttribute after this was written: an AnyValue with no value,
            // which OTLP reads as empty, rather than a guess.
            break
        }
    }

    /// `AnyValue.array_value`: an `ArrayValue` with one `AnyValue` per element (none for an empty array).
    static func writeArray<Element>(
        _ elements: [Element],
        to writer: inout ProtobufWriter,
        _ writeElement: (inout ProtobufWriter, Element) -> Void
    ) {
        let array = writer.beginMessage(5)
        for element in elements {
            let value = writer.beginMessage(1)  // ArrayValue.values
            writeElement(&writer, element)
            writer.endMessage(value)
        }
        writer.endMessage(array)
    }
}
