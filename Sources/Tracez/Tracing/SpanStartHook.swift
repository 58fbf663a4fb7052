import Tracing

/// Sees each recorded span as it starts, in the context it starts in, and may set its
/// attributes: for fields that belong on every span of a unit of work, whoever starts the
/// span (an HTTP framework's request span, a client's call, a database query).
///
/// Like OpenTelemetry's `SpanProcessor.onStart`, and as small as ``Exporter``:
///
/// ```swift
/// enum Tenant { @TaskLocal static var id: String? }
///
/// struct TenantHook: SpanStartHook {
///     func spanDidStart(_ span: Tracez.Span, in context: ServiceContext) {
///         if let tenant = Tenant.id { span.attributes["tenant.id"] = tenant }
///     }
/// }
/// let configuration = TracerConfiguration(serviceName: "checkout", startHooks: [TenantHook()])
/// ```
///
/// A hook runs on the task that starts the span, before the span is returned, and only for
/// spans that record: the sampling decision is the tracer's, made before any hook runs, and
/// a hook cannot change it. A tracer without hooks pays one empty-array check per span.
///
/// Thread-safety: hooks are called from any task at once; a hook must be `Sendable` and
/// keep no unguarded state.
public protocol SpanStartHook: Sendable {
    /// Called once for each recording span, right after it started.
    ///
    /// - Parameters:
    ///   - span: The new span; set attributes on it with `span.attributes[…]` or
    ///     `span.updateAttributes(_:)` (one lock for several).
    ///   - context: The context the span started in: its parent's, with the task's values
    ///     (`ServiceContext.current` when the caller passed none).
    func spanDidStart(_ span: Tracez.Span, in context: ServiceContext)
}
