import Tracing

extension TracerConfiguration {
    /// Reads the OpenTelemetry SDK variables that shape the tracer, as other OTel SDKs do.
    ///
    /// Pass `ProcessInfo.processInfo.environment` in an app, a dictionary literal in tests.
    /// Values follow the one vocabulary of every Tracez module (booleans `true`/`false`/`1`/`0`,
    /// decimal numbers; see `Docs/Concepts.md`). Unset or empty variables keep the defaults:
    ///
    /// | variable | meaning | default |
    /// | --- | --- | --- |
    /// | `OTEL_SERVICE_NAME` | ``serviceName``; wins over `service.name` in the resource attributes | `unknown_service` |
    /// | `OTEL_RESOURCE_ATTRIBUTES` | ``resourceAttributes``: `key=value,key=value`, values percent-decoded | none |
    /// | `OTEL_TRACES_SAMPLER` | `always_on`, `always_off`, `traceidratio`, `parentbased_always_on`, `parentbased_always_off`, `parentbased_traceidratio` | `parentbased_always_on` |
    /// | `OTEL_TRACES_SAMPLER_ARG` | the ratio for the `traceidratio` samplers, 0...1 | 1.0 |
    /// | `OTEL_SDK_DISABLED` | `true` (or `1`) makes every span non-recording | `false` |
    /// | `OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT` (or `OTEL_ATTRIBUTE_COUNT_LIMIT`) | ``SpanLimits/maxAttributes`` | 128 |
    /// | `OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT` (or `OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT`) | ``SpanLimits/maxAttributeValueBytes`` | 131072 |
    /// | `OTEL_SPAN_EVENT_COUNT_LIMIT` | ``SpanLimits/maxEvents`` | 128 |
    /// | `OTEL_SPAN_LINK_COUNT_LIMIT` | ``SpanLimits/maxLinks`` | 128 |
    /// | `OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT` | ``SpanLimits/maxAttributesPerEvent`` | 128 |
    ///
    /// - Throws: ``TracezError/invalidEnvironmentVariable(name:value:reason:)`` naming the
    ///   variable, for a value that cannot be used (an unknown sampler, a ratio outside 0...1,
    ///   a negative limit, a resource attribute without `=`).
    public init(environment: [String: String]) throws(TracezError) {
        self.init()
        let reader = EnvironmentReader(environment)

        if let attributes = try reader.keyValueList("OTEL_RESOURCE_ATTRIBUTES", entry: "member") {
            for (key, value) in attributes { resourceAttributes.set(key, value: .string(value)) }
            if case .string(let name)? = resourceAttributes.get("service.name") { serviceName = name }
        }
        if let name = reader.string("OTEL_SERVICE_NAME") { serviceName = name }

        if let disabled = try reader.bool("OTEL_SDK_DISABLED") { isEnabled = !disabled }

        let ratio = try reader.number("OTEL_TRACES_SAMPLER_ARG", in: 0...1) ?? 1.0
        if let raw = reader.string("OTEL_TRACES_SAMPLER") {
            switch raw.lowercased() {
            case "always_on": sampler = .alwaysOn
            case "always_off": sampler = .alwaysOff
            case "traceidratio": sampler = .traceIDRatio(ratio)
            case "parentbased_always_on": sampler = .parentBased(root: .alwaysOn)
            case "parentbased_always_off": sampler = .parentBased(root: .alwaysOff)
            case "parentbased_traceidratio": sampler = .parentBased(root: .traceIDRatio(ratio))
            default:
                throw reader.invalid(
                    "OTEL_TRACES_SAMPLER",
                    reason: "expected always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off or parentbased_traceidratio"
                )
            }
        }

        // The span-specific form wins over the general one, as in the OTel spec.
        func limit(_ names: String...) throws(TracezError) -> Int? {
            guard let (name, _) = reader.first(of: names) else { return nil }
            return try reader.integer(name, in: 0...EnvironmentReader.maximum)
        }
        if let n = try limit("OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", "OTEL_ATTRIBUTE_COUNT_LIMIT") { limits.maxAttributes = n }
        if let n = try limit("OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT", "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT") {
            limits.maxAttributeValueBytes = n
        }
        if let n = try limit("OTEL_SPAN_EVENT_COUNT_LIMIT") { limits.maxEvents = n }
        if let n = try limit("OTEL_SPAN_LINK_COUNT_LIMIT") { limits.maxLinks = n }
        if let n = try limit("OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT") { limits.maxAttributesPerEvent = n }
    }
}
