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

/// Holds the active span itself, not a copy of its ``SpanContext``: a class reference fits
/// in `ServiceContext`'s storage without a box of its own, where the 40-byte struct needed
/// one allocation each time a span's ``Span/context`` was made, and code that runs inside
/// a span (`withTrace`, a hook) can reach the span through ``ServiceContext/activeSpan``.
/// A span context set from outside (an extracted `traceparent`) is held by a span that
/// only carries it (``Span/init(carrying:)``).
private enum SpanContextKey: ServiceContextKey {
    typealias Value = Span
    static var nameOverride: String? { "tracez.span-context" }
}

extension ServiceContext {
    /// The active span's context, if any. ``Tracer`` reads it to find a new span's parent.
    public var spanContext: SpanContext? {
        get { self[SpanContextKey.self]?.spanContext }
        set { self[SpanContextKey.self] = newValue.map(Span.init(carrying:)) }
    }

    /// The Tracez span this context belongs to: the one whose ``Span/context`` it is (or
    /// a context derived from it), so code running inside `withSpan` can reach the span
    /// without it being passed along. `nil` outside a span, and when the span context
    /// came from elsewhere (a `traceparent` header, or set with ``spanContext``).
    ///
    /// Holding a context keeps its span's object alive, as holding the span would.
    public var activeSpan: Span? {
        guard let span = self[SpanContextKey.self], !span.onlyCarriesContext else { return nil }
        return span
    }

    /// Makes `span` the active span of this context.
    mutating func setActiveSpan(_ span: Span) {
        self[SpanContextKey.self] = span
    }
}
