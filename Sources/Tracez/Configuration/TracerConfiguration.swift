import Tracing

/// How a ``Tracer`` starts and records spans. Every field has a default; nothing here does I/O.
///
/// Load it from the standard OpenTelemetry variables with
/// ``TracerConfiguration/init(environment:)``.
public struct TracerConfiguration: Sendable {
    /// `service.name` on every exported span. Default `unknown_service`, as OpenTelemetry says.
    public var serviceName: String
    /// Attributes of the process that produced the spans (`deployment.environment`, `service.version`, …).
    public var resourceAttributes: SpanAttributes
    /// Default: parent-based, always on for new traces (the OpenTelemetry default).
    public var sampler: Sampler
    /// Keep the errored spans of traces the sampler left out.
    ///
    /// Spans of unsampled traces then record (so they cost as much as sampled ones)
    /// and are exported only if they end with an error status; the rest are
    /// discarded at the end without counting as drops, since they were never sampled.
    public var keepsErroredSpansOfUnsampledTraces: Bool
    public var limits: SpanLimits
    /// When false, every span is non-recording: `OTEL_SDK_DISABLED=true`.
    public var isEnabled: Bool
    /// Called, in order, for every recording span as it starts (``SpanStartHook``). Default none.
    public var startHooks: [any SpanStartHook]

    public init(
        serviceName: String = "unknown_service",
        resourceAttributes: SpanAttributes = [:],
        sampler: Sampler = .parentBased(root: .alwaysOn),
        keepsErroredSpansOfUnsampledTraces: Bool = false,
        limits: SpanLimits = SpanLimits(),
        isEnabled: Bool = true,
        startHooks: [any SpanStartHook] = []
    ) {
        self.serviceName = serviceName
        self.resourceAttributes = resourceAttributes
        self.sampler = sampler
        self.keepsErroredSpansOfUnsampledTraces = keepsErroredSpansOfUnsampledTraces
        self.limits = limits
        self.isEnabled = isEnabled
        self.startHooks = startHooks
    }
}
