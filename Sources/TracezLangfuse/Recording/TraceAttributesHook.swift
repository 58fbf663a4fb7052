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
    public init() {}

    public func spanDidStart(_ span: Tracez.Span, in context: ServiceContext) {
        guard let trace = context.langfuseTrace else { return }
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
