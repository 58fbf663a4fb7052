import Tracing

extension TracerConfiguration {
    /// Reads the OpenTelemetry SDK variables that shape the tracer, as other OTel SDKs do.
    ///
    /// Pass `ProcessInfo.processInfo.environment` in an app, a dictionary literal in tests.
    /// Unset or empty variables keep the defaults:
    ///
    /// | variable | meaning | default |
    /// | --- | --- | --- |
    /// | `OTEL_SERVICE_NAME` | ``serviceName``; wins over `service.name` in the resource attributes | `unknown_service` |
    /// | `OTEL_RESOURCE_ATTRIBUTES` | ``resourceAttributes``: `key=value,key=value`, values percent-decoded | none |
    /// | `OTEL_TRACES_SAMPLER` | `always_on`, `always_off`, `traceidratio`, `parentbased_always_on`, `parentbased_always_off`, `parentbased_traceidratio` | `parentbased_always_on` |
    /// | `OTEL_TRACES_SAMPLER_ARG` | the ratio for the `traceidratio` samplers, 0...1 | 1.0 |
    /// | `OTEL_SDK_DISABLED` | `true` makes every span non-recording | `false` |
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
        func value(_ name: String) -> String? {
            guard let raw = environment[name]?.trimmingWhitespace(), !raw.isEmpty else { return nil }
            return raw
        }

        if let raw = value("OTEL_RESOURCE_ATTRIBUTES") {
            resourceAttributes = try Self.parseResourceAttributes(raw)
            if case .string(let name)? = resourceAttributes.get("service.name") { serviceName = name }
        }
        if let name = value("OTEL_SERVICE_NAME") { serviceName = name }

        if let raw = value("OTEL_SDK_DISABLED") {
            switch raw.lowercased() {
            case "true": isEnabled = false
            case "false": isEnabled = true
            default: throw .invalidEnvironmentVariable(name: "OTEL_SDK_DISABLED", value: raw, reason: "expected true or false")
            }
        }

        var ratio = 1.0
        if let raw = value("OTEL_TRACES_SAMPLER_ARG") {
            guard let parsed = Double(raw), parsed >= 0, parsed <= 1 else {
                throw .invalidEnvironmentVariable(name: "OTEL_TRACES_SAMPLER_ARG", value: raw, reason: "expected a ratio from 0 to 1")
            }
            ratio = parsed
        }
        if let raw = value("OTEL_TRACES_SAMPLER") {
            switch raw.lowercased() {
            case "always_on": sampler = .alwaysOn
            case "always_off": sampler = .alwaysOff
            case "traceidratio": sampler = .traceIDRatio(ratio)
            case "parentbased_always_on": sampler = .parentBased(root: .alwaysOn)
            case "parentbased_always_off": sampler = .parentBased(root: .alwaysOff)
            case "parentbased_traceidratio": sampler = .parentBased(root: .traceIDRatio(ratio))
            default:
                throw .invalidEnvironmentVariable(
                    name: "OTEL_TRACES_SAMPLER",
                    value: raw,
                    reason: "expected always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off or parentbased_traceidratio"
                )
            }
        }

        func limit(_ names: String...) throws(TracezError) -> Int? {
            for name in names {
                guard let raw = value(name) else { continue }
                guard let parsed = Int(raw), parsed >= 0 else {
                    throw .invalidEnvironmentVariable(name: name, value: raw, reason: "expected a whole number, 0 or more")
                }
                return parsed
            }
            return nil
        }
        if let n = try limit("OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", "OTEL_ATTRIBUTE_COUNT_LIMIT") { limits.maxAttributes = n }
        if let n = try limit("OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT", "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT") {
            limits.maxAttributeValueBytes = n
        }
        if let n = try limit("OTEL_SPAN_EVENT_COUNT_LIMIT") { limits.maxEvents = n }
        if let n = try limit("OTEL_SPAN_LINK_COUNT_LIMIT") { limits.maxLinks = n }
        if let n = try limit("OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT") { limits.maxAttributesPerEvent = n }
    }

    /// `key1=value1,key2=value2` (W3C Baggage style, values percent-encoded), as in the OTel spec.
    static func parseResourceAttributes(_ raw: String) throws(TracezError) -> SpanAttributes {
        var attributes: SpanAttributes = [:]
        for member in raw.split(separator: ",", omittingEmptySubsequences: true) {
            let pair = member.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = pair[0].trimmingWhitespace()
            guard pair.count == 2, !key.isEmpty, let value = String(pair[1].trimmingWhitespace()).removingPercentEncoding()
            else {
                throw .invalidEnvironmentVariable(
                    name: "OTEL_RESOURCE_ATTRIBUTES",
                    value: raw,
                    reason: "member '\(member)' is not key=value with a percent-encoded value"
                )
            }
            attributes.set(String(key), value: .string(value))
        }
        return attributes
    }
}

extension StringProtocol {
    package func trimmingWhitespace() -> String {
        var scalars = Substring(self).unicodeScalars
        while let first = scalars.first, first.properties.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.properties.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}

extension String {
    /// Decodes `%XX` escapes; `nil` for a malformed escape or bytes that are not UTF-8.
    package func removingPercentEncoding() -> String? {
        var bytes: [UInt8] = []
        var iterator = utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next(), let low = iterator.next(),
                let value = Hex.parse([high, low])
            else { return nil }
            bytes.append(UInt8(value))
        }
        return String(validating: bytes, as: UTF8.self)
    }
}
