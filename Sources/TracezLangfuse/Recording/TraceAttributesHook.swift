import Tracez

/// Copies the trace fields of `withTrace` (user, session, tags, metadata, release, version,
/// environment, name) onto every span started inside it, whoever starts it: an HTTP
/// framework's request span, an HTTP client's span, a database query. So Langfuse files
/// them all under the trace's user and session, as the Python SDK's span processor does.
///
/// ``LangfuseSettings/applied(to:)`` installs it; to install it by hand:
///
/// ```swift
/// let configuration = TracerConfiguration(serviceName: "chat", startHooks: [TraceAttributesHook()])
/// ```
///
/// Observations (`withObservation` and friends) get the fields as before, with or without it.
/// Fields over ``TraceAttributes/maxFieldCharacters`` are left out and counted, and metadata
/// stays within the span's budget (``LangfuseValueStatistics``), as on observations.
///
/// Thread-safety: stateless; called from any task at once.
public struct TraceAttributesHook: SpanStartHook {
    /// Whether fields received in W3C baggage (``TracePropagation/baggage``, or the Python
    /// SDK's `as_baggage=True`) are put on spans, as if this service had called `withTrace`.
    /// Those of this process's own `withTrace` win over them.
    ///
    /// Off by default: baggage arrives with every request, from whoever sends it, so a
    /// service that faces the internet would let its callers choose the user and session
    /// ids its traces are filed under. Turn it on in services that only trusted services call.
    public let readsBaggage: Bool

    public init(readsBaggage: Bool = false) {
        self.readsBaggage = readsBaggage
    }

    public func spanDidStart(_ span: Tracez.Span, in context: ServiceContext) {
        guard let trace = Self.traceAttributes(in: context, readsBaggage: readsBaggage) else { return }
        Self.write(trace, on: span)
    }

    /// The trace fields in `context`: those of `withTrace`, over those received in its
    /// baggage when `readsBaggage`; `nil` when there are none.
    static func traceAttributes(in context: ServiceContext, readsBaggage: Bool) -> TraceAttributes? {
        let own = context.langfuseTrace
        guard readsBaggage, let baggage = context.baggage, let received = TraceAttributes(baggage: baggage) else { return own }
        return own.map(received.merging) ?? received
    }

    /// Whether `tracer` reads trace fields from baggage (has a hook with ``readsBaggage``).
    static func readsBaggage(in tracer: Tracer?) -> Bool {
        tracer?.configuration.startHooks.contains { ($0 as? TraceAttributesHook)?.readsBaggage == true } ?? false
    }

    /// Writes `trace` on `span` within its metadata budget, counting what it leaves out.
    static func write(_ trace: TraceAttributes, on span: Tracez.Span) {
        let tracer = span.recordingTracer
        let budget = MetadataBudget.keyBudget(maxAttributes: tracer?.configuration.limits.maxAttributes ?? SpanLimits().maxAttributes)
        let dropped = trace.write(into: span, metadataBudget: budget)
        // Rare: only then is the tracer's Langfuse exporter looked for, to count.
        if dropped.droppedFields > 0 || dropped.droppedMetadata > 0 {
            let shaper = LangfuseValueShaper.of(tracer)
            shaper.countDroppedTraceFields(dropped.droppedFields)
            shaper.countDroppedMetadata(dropped.droppedMetadata)
        }
    }
}
