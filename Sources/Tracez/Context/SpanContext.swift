import Tracing

/// The part of a span that travels: which trace it belongs to, its own id,
/// whether it is sampled, and the vendor trace state.
///
/// A span context lives in `ServiceContext` (as `ServiceContext.spanContext`),
/// so it follows `async`/`await`, `async let` and task groups. A detached task,
/// or a callback on a thread that Swift concurrency does not manage, does not
/// inherit it: pass `ServiceContext.current` to it explicitly, or it starts a new trace.
public struct SpanContext: Hashable, Sendable {
    public var traceID: TraceID
    public var spanID: SpanID
    public var traceFlags: TraceFlags
    public var traceState: TraceState
    /// Whether this context came from another process through a `traceparent` header.
    public var isRemote: Bool

    public init(
        traceID: TraceID,
        spanID: SpanID,
        traceFlags: TraceFlags = .sampled,
        traceState: TraceState = TraceState(),
        isRemote: Bool = false
    ) {
        self.traceID = traceID
        self.spanID = spanID
        self.traceFlags = traceFlags
        self.traceState = traceState
        self.isRemote = isRemote
    }

    /// Whether the trace is sampled (the W3C `sampled` flag).
    public var isSampled: Bool { traceFlags.contains(.sampled) }
}

private enum SpanContextKey: ServiceContextKey {
    typealias Value = SpanContext
    static var nameOverride: String? { "tracez.span-context" }
}

extension ServiceContext {
    /// The active span's context, if any. ``Tracer`` reads it to find a new span's parent.
    public var spanContext: SpanContext? {
        get { self[SpanContextKey.self] }
        set { self[SpanContextKey.self] = newValue }
    }
}
