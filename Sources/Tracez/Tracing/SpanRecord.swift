import Tracing

/// The immutable value a span becomes when it ends: what collectors hold and exporters send.
///
/// A span record is a reference to the ended ``Span``, whose state no longer
/// changes: copying a record copies one reference, and ending a span allocates
/// nothing (benchmarks "Collector record, uncontended" and "Span start+end,
/// 4 attributes + event (Tracer)"). The properties read that frozen state.
/// A record made with the public initializer holds its own frozen span.
public struct SpanRecord: Sendable {
    /// The ended span this record reads.
    let span: Span

    /// A record of `span`, which has ended.
    init(ended span: Span) {
        self.span = span
    }

    /// Trace id, span id, sampled flag and trace state.
    public var context: SpanContext { span.spanContext }
    /// The parent span's id; `nil` for a root span.
    public var parentSpanID: SpanID? { span.parentSpanID }
    /// Whether the parent came from another process (a `traceparent` header).
    public var parentIsRemote: Bool { span.parentIsRemote }
    public var name: String { span.finished.name }
    public var kind: SpanKind { span.kind }
    /// Start time, nanoseconds since the Unix epoch.
    public var startNanoseconds: UInt64 { span.startNanoseconds }
    /// End time, nanoseconds since the Unix epoch; never before the start.
    public var endNanoseconds: UInt64 { span.finished.endNanoseconds }
    /// Every attribute, however it was set. Builds a `SpanAttributes` when the span also has
    /// typed attributes (`Span.set(_:_:)`); exporters walk them with ``forEachAttribute(_:)``.
    public var attributes: SpanAttributes { span.finished.allAttributes }
    /// How many attributes the span kept.
    public var attributeCount: Int { span.finished.attributes.count + span.finishedTypedAttributeCount }
    /// Calls `body` with each attribute, however it was set, without building a dictionary.
    public func forEachAttribute(_ body: (String, SpanAttribute) -> Void) {
        span.finished.attributes.forEach(body)
        span.forEachFinishedTypedAttribute { key, value in body(key, value.spanAttribute) }
    }
    /// The attributes set through swift-distributed-tracing's API, without the typed ones:
    /// for an encoder that walks the two stores apart (with ``forEachTypedAttribute(_:)``),
    /// so that neither kind of value is turned into the other.
    package var standardAttributes: SpanAttributes { span.finished.attributes }
    /// Calls `body` with each attribute a typed setter wrote, as it is stored.
    package func forEachTypedAttribute(_ body: (String, CompactAttributes.Value) -> Void) {
        span.forEachFinishedTypedAttribute(body)
    }
    /// The attribute `key`, however it was set; `nil` when the span has none.
    public func attribute(_ key: String) -> SpanAttribute? {
        span.finishedTypedAttribute(key)?.spanAttribute ?? span.finished.attributes.get(key)
    }
    /// Events in the order they were added.
    ///
    /// - Complexity: O(n); builds an array, except for a record without events.
    ///   Exporters read it once per record.
    public var events: [Event] { span.finished.events.array }
    /// The number of events, without building the array.
    public var eventCount: Int { span.finished.events.count }
    /// Calls `body` with each event in order, without building the array (the encoders' way in).
    public func forEachEvent(_ body: (Event) throws -> Void) rethrows {
        try span.finished.events.forEach(body)
    }
    public var links: [Link] { span.finished.links }
    /// `nil` while unset (OpenTelemetry's `UNSET`).
    public var status: SpanStatus? { span.finished.status }
    /// Attributes cut by ``SpanLimits/maxAttributes``.
    public var droppedAttributeCount: Int { Int(span.finished.droppedAttributes) }
    /// Events cut by ``SpanLimits/maxEvents``.
    public var droppedEventCount: Int { Int(span.finished.droppedEvents) }
    /// Links cut by ``SpanLimits/maxLinks``, or pointing at a context without a span.
    public var droppedLinkCount: Int { Int(span.finished.droppedLinks) }
    /// Strings cut by ``SpanLimits``: attribute values and status messages, names, and keys
    /// (on the span, its events and links).
    public var truncatedValueCount: Int { Int(span.finished.truncatedValues) }
    /// The four counts above at once, as a collector sums them.
    var limitCuts: SpanLimitCounts { span.limitCuts }
    /// The ``SpanLimits/maxAttributeValueBytes`` of the tracer that recorded the span.
    package var maxAttributeValueBytes: Int { Int(span.finished.maxAttributeValueBytes) }

    /// A `stringConvertible` attribute value as an exporter sends it: formatted once, now,
    /// and cut to the span's ``SpanLimits/maxAttributeValueBytes``.
    package func exportText(_ value: any CustomStringConvertible) -> String {
        SpanLimits.exportText(value, maxBytes: maxAttributeValueBytes)
    }

    /// A record made by hand (tests, replays, an exporter's own records). The four counts are
    /// kept in 32 bits, as a span keeps them: one outside `0...UInt32.max` reads back clamped
    /// to that range.
    public init(
        context: SpanContext,
        parentSpanID: SpanID?,
        parentIsRemote: Bool = false,
        name: String,
        kind: SpanKind,
        startNanoseconds: UInt64,
        endNanoseconds: UInt64,
        attributes: SpanAttributes = [:],
        events: [Event] = [],
        links: [Link] = [],
        status: SpanStatus? = nil,
        droppedAttributeCount: Int = 0,
        droppedEventCount: Int = 0,
        droppedLinkCount: Int = 0,
        truncatedValueCount: Int = 0
    ) {
        var state = Span.State(name: name)
        state.attributes = attributes
        state.events = EventList(events)
        state.links = links
        state.status = status
        state.droppedAttributes = UInt32(clamping: droppedAttributeCount)
        state.droppedEvents = UInt32(clamping: droppedEventCount)
        state.droppedLinks = UInt32(clamping: droppedLinkCount)
        state.truncatedValues = UInt32(clamping: truncatedValueCount)
        state.endNanoseconds = max(startNanoseconds, endNanoseconds)
        state.maxAttributeValueBytes = UInt32(clamping: SpanLimits().maxAttributeValueBytes)
        span = Span(
            finished: state,
            kind: kind,
            spanContext: context,
            parentSpanID: parentSpanID,
            parentIsRemote: parentIsRemote,
            startNanoseconds: startNanoseconds
        )
    }

    /// A copy of this record with `key` set to `value`: for an exporter that must add what its
    /// backend needs to one record. Allocates a new record; the original is unchanged.
    package func setting(_ key: String, to value: SpanAttribute) -> SpanRecord {
        var state = span.finished
        state.attributes[key] = value
        return SpanRecord(
            ended: Span(
                finished: state,
                kind: kind,
                spanContext: context,
                parentSpanID: parentSpanID,
                parentIsRemote: parentIsRemote,
                startNanoseconds: startNanoseconds
            )
        )
    }

    public var traceID: TraceID { context.traceID }
    public var spanID: SpanID { context.spanID }
    /// The span's duration in nanoseconds.
    public var durationNanoseconds: UInt64 { endNanoseconds - startNanoseconds }
    /// Whether the span's status is an error.
    public var isError: Bool { status?.code == .error }
}

extension SpanRecord {
    /// Something that happened at one instant during a span.
    public struct Event: Sendable {
        public let name: String
        /// Nanoseconds since the Unix epoch.
        public let nanoseconds: UInt64
        public let attributes: SpanAttributes
        /// Attributes cut by ``SpanLimits/maxAttributesPerEvent``.
        public let droppedAttributeCount: Int

        public init(name: String, nanoseconds: UInt64, attributes: SpanAttributes = [:], droppedAttributeCount: Int = 0) {
            self.name = name
            self.nanoseconds = nanoseconds
            self.attributes = attributes
            self.droppedAttributeCount = droppedAttributeCount
        }
    }

    /// A span's events, the first one inline.
    ///
    /// Benchmark "Span start+end, 4 attributes + event (Tracer)": an array cost one
    /// allocation for the first event of every span that has one.
    struct EventList: Sendable {
        private(set) var first: Event?
        private var rest: [Event] = []

        init() {}

        init(_ events: [Event]) {
            first = events.first
            rest = Array(events.dropFirst())
        }

        var count: Int { first == nil ? 0 : 1 + rest.count }

        mutating func append(_ event: Event) {
            if first == nil {
                first = event
            } else {
                rest.append(event)
            }
        }

        func forEach(_ body: (Event) throws -> Void) rethrows {
            guard let first else { return }
            try body(first)
            for event in rest { try body(event) }
        }

        var array: [Event] {
            guard let first else { return [] }
            var all = [first]
            all.append(contentsOf: rest)
            return all
        }
    }

    /// A reference to a span in this or another trace.
    public struct Link: Sendable {
        public let context: SpanContext
        public let attributes: SpanAttributes
        /// Attributes cut by ``SpanLimits/maxAttributesPerEvent``.
        public let droppedAttributeCount: Int

        public init(context: SpanContext, attributes: SpanAttributes = [:], droppedAttributeCount: Int = 0) {
            self.context = context
            self.attributes = attributes
            self.droppedAttributeCount = droppedAttributeCount
        }
    }
}
