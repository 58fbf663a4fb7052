import Tracez

/// The entity that produced the spans: a service, described by resource attributes.
///
/// Sent once per request, with every span of the batch grouped under it. Always carries
/// `service.name` and the SDK's own attributes (`telemetry.sdk.name` = `tracez`,
/// `telemetry.sdk.language` = `swift`, `telemetry.sdk.version`), as the OTel resource
/// semantic conventions ask.
///
/// A value type; safe to share between tasks.
public struct OTLPResource: Sendable {
    public var attributes: SpanAttributes

    /// - Parameters:
    ///   - serviceName: Becomes `service.name`, over any `service.name` in `attributes`.
    ///   - attributes: Further resource attributes (`deployment.environment.name`, `service.version`, …).
    public init(serviceName: String, attributes: SpanAttributes = [:]) {
        var all = attributes
        all["telemetry.sdk.name"] = "tracez"
        all["telemetry.sdk.language"] = "swift"
        all["telemetry.sdk.version"] = TracezVersion.current
        all["service.name"] = serviceName
        self.attributes = all
    }

    /// The tracer's service name and resource attributes (`OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`).
    public init(configuration: TracerConfiguration) {
        self.init(serviceName: configuration.serviceName, attributes: configuration.resourceAttributes)
    }
}
