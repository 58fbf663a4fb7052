import Tracing

/// The immutable value a span becomes when it ends: what collectors hold and exporters send.
///
/// A span record owns copies of everything it needs; it holds no reference to
/// the ``Span`` that made it. It is built once, in ``Span/end(at:)``, by moving
/// the span's state out (no copy of attributes or events).
public struct SpanRecord: Sendable {
    /// Trace id, span id, sampled flag and trace state.
    public let context: SpanContext
    /// The parent span's id; `nil` for a root span.
    public let parentSpanID: SpanID?
    /// Whether the parent came from another process (a `traceparent` header).
    public let parentIsRemote: Bool
    public let name: String
    public let kind: SpanKind
    /// Start time, nanoseconds since the Unix epoch.
    public let startNanoseconds: UInt64
    /// End time, nanoseconds since the Unix epoch; never before the start.
    public let endNanoseconds: UInt64
    public let attributes: SpanAttributes
    public let events: [Event]
    public let links: [Link]
    /// `nil` while unset (OpenTelemetry's `UNSET`).
    public let status: SpanStatus?
    /// Attributes cut by ``SpanLimits/maxAttributes``.
    public let droppedAttributeCount: Int
    /// Events cut by ``SpanLimits/maxEvents``.
    public let droppedEventCount: Int
    /// Links cut by ``SpanLimits/maxLinks``, or pointing at a context without a span.
    public let droppedLinkCount: Int
    /// String values shortened by ``SpanLimits/maxAttributeValueBytes`` (on the span, its events and links).
    public let truncatedValueCount: Int

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
        self.context = context
        self.parentSpanID = parentSpanID
        self.parentIsRemote = parentIsRemote
        self.name = name
        self.kind = kind
        self.startNanoseconds = startNanoseconds
        self.endNanoseconds = max(startNanoseconds, endNanoseconds)
        self.attributes = attributes
        self.events = events
        self.links = links
        self.status = status
        self.droppedAttributeCount = droppedAttributeCount
        self.droppedEventCount = droppedEventCount
        self.droppedLinkCount = droppedLinkCount
        self.truncatedValueCount = truncatedValueCount
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
