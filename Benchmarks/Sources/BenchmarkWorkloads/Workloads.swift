import Tracing

/// The span workloads both benchmark executables run, written once against the
/// swift-distributed-tracing API so that Tracez and swift-otel do exactly the same work.
///
/// `@inlinable` so that a call with a concrete tracer is specialized for it (the
/// fast path a user gets by calling a concrete tracer), while the `global…`
/// variants go through `InstrumentationSystem.tracer`, an existential, as
/// libraries instrumented with the API do.
public enum Workloads {
    /// One span, started and ended, nothing on it.
    @inlinable
    public static func emptySpan<T: Tracer>(_ tracer: T) {
        let span = tracer.startSpan("GET /health")
        span.end()
    }

    /// One server span with 4 attributes (2 strings, an int, a double) and one event,
    /// set the way the API's documentation shows.
    @inlinable
    public static func spanWithAttributesAndEvent<T: Tracer>(_ tracer: T) {
        let span = tracer.startSpan("GET /orders/{id}", ofKind: .server)
        span.attributes["http.request.method"] = "GET"
        span.attributes["url.path"] = "/orders/42"
        span.attributes["http.response.status_code"] = 200
        span.attributes["app.cache.ratio"] = 0.25
        span.addEvent("cache miss")
        span.end()
    }

    /// What ``spanWithAttributesAndEvent(_:)`` asks of swift-distributed-tracing's own types,
    /// with no tracer: the same 4 attributes set through `SpanAttributes`'s subscript, and the
    /// same event made (which reads the clock). No tracer behind the standard API can record
    /// that span for less, since `span.attributes` is a `SpanAttributes`; the floor benchmarks
    /// read every other figure against this one.
    ///
    /// Returns both, so that the caller can hand them to `blackHole` and nothing is optimized away.
    @inlinable
    public static func attributesAndEvent() -> (SpanAttributes, SpanEvent) {
        var attributes: SpanAttributes = [:]
        attributes["http.request.method"] = "GET"
        attributes["url.path"] = "/orders/42"
        attributes["http.response.status_code"] = 200
        attributes["app.cache.ratio"] = 0.25
        return (attributes, SpanEvent(name: "cache miss"))
    }

    /// Three spans, each the parent of the next, through `withSpan` (task-local context).
    @inlinable
    public static func threeNestedSpans<T: Tracer>(_ tracer: T) {
        tracer.withSpan("handle request") { _ in
            tracer.withSpan("load order") { _ in
                tracer.withSpan("decode row") { _ in }
            }
        }
    }

    /// ``emptySpan(_:)`` through the global API.
    @inlinable
    public static func globalEmptySpan() {
        let span = startSpan("GET /health")
        span.end()
    }

    /// ``spanWithAttributesAndEvent(_:)`` through the global API.
    @inlinable
    public static func globalSpanWithAttributesAndEvent() {
        let span = startSpan("GET /orders/{id}", ofKind: .server)
        span.attributes["http.request.method"] = "GET"
        span.attributes["url.path"] = "/orders/42"
        span.attributes["http.response.status_code"] = 200
        span.attributes["app.cache.ratio"] = 0.25
        span.addEvent("cache miss")
        span.end()
    }

    /// ``threeNestedSpans(_:)`` through the global API.
    @inlinable
    public static func globalThreeNestedSpans() {
        withSpan("handle request") { _ in
            withSpan("load order") { _ in
                withSpan("decode row") { _ in }
            }
        }
    }
}
