import Tracez
import TracezLangfuse
import TracezOTLP

// Every reader of environment variables, fed fuzz bytes as the values of every variable it
// reads. Besides never trapping, an error or a configuration's description must not repeat
// a secret of at least 8 characters: a header value (OTEL_EXPORTER_OTLP_HEADERS), the
// Langfuse secret key, a URL's password (see `expectNoSecret`).

/// `TracerConfiguration(environment:)`: OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES, samplers, limits.
func fuzzTracerEnvironment(_ bytes: [UInt8]) {
    let input = EnvironmentInput(
        bytes,
        names: [
            "OTEL_SERVICE_NAME", "OTEL_RESOURCE_ATTRIBUTES", "OTEL_SDK_DISABLED", "OTEL_TRACES_SAMPLER",
            "OTEL_TRACES_SAMPLER_ARG", "OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", "OTEL_ATTRIBUTE_COUNT_LIMIT",
            "OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT", "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT", "OTEL_SPAN_EVENT_COUNT_LIMIT",
            "OTEL_SPAN_LINK_COUNT_LIMIT", "OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT",
        ])
    for environment in [input.whole, input.split] {
        guard let configuration = try? TracerConfiguration(environment: environment) else { continue }
        precondition(!configuration.serviceName.isEmpty, "empty service name from \(environment)")
    }
}

/// `ExportConfiguration(environment:)` and `CollectorConfiguration(name:environment:)`: OTEL_BSP_*.
func fuzzBatchSpanProcessorEnvironment(_ bytes: [UInt8]) {
    let input = EnvironmentInput(
        bytes,
        names: [
            "OTEL_BSP_SCHEDULE_DELAY", "OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "OTEL_BSP_EXPORT_TIMEOUT", "OTEL_BSP_MAX_QUEUE_SIZE",
        ])
    for environment in [input.whole, input.split] {
        if let export = try? ExportConfiguration(environment: environment) {
            precondition(export.maxBatchSize >= 1 && export.interval > .zero && export.exportTimeout > .zero, "\(export) from \(environment)")
        }
        if let collector = try? CollectorConfiguration(name: "default", environment: environment) {
            precondition(collector.capacity >= 1, "capacity \(collector.capacity) from \(environment)")
        }
    }
}

private let otlpVariables = [
    "OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_TRACES_HEADERS",
    "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    "OTEL_EXPORTER_OTLP_INSECURE", "OTEL_EXPORTER_OTLP_TRACES_INSECURE",
    "OTEL_EXPORTER_OTLP_COMPRESSION", "OTEL_EXPORTER_OTLP_TRACES_COMPRESSION",
    "OTEL_EXPORTER_OTLP_TIMEOUT", "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT",
    "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
]

/// `OTLPExporterConfiguration(environment:)`: OTEL_EXPORTER_OTLP_* and their _TRACES_ forms.
func fuzzOTLPEnvironment(_ bytes: [UInt8]) {
    let input = EnvironmentInput(bytes, names: otlpVariables)
    _ = try? OTLPExporterConfiguration(environment: input.whole)
    guard checksSecretLeaks else {
        _ = try? OTLPExporterConfiguration(environment: input.split)
        return
    }

    // Secrets: each header's value (as the reader splits them: members at ",", key and value
    // at the first "="), and the endpoints' URL credentials.
    var secrets: [Secret] = []
    for (name, raw) in input.split {
        if name.hasSuffix("_HEADERS") {
            for member in raw.split(separator: ",") {
                let pair = member.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                if pair.count == 2 {
                    secrets.append(Secret(variable: name, value: raw, range: trimmedRange(pair[1])))
                } else if checksColonFormHeaders, let colon = member.firstIndex(of: ":") {
                    // "Authorization: Bearer …", the HTTP form instead of key=value: the part after ":" is a value.
                    secrets.append(Secret(variable: name, value: raw, range: trimmedRange(member[member.index(after: colon)...])))
                }
            }
        } else if name.hasSuffix("_ENDPOINT") {
            secrets += urlCredentials(raw, variable: name)
        }
    }
    expectNoSecret(secrets, in: input.split, what: "OTLPExporterConfiguration") { environment in
        do {
            return try OTLPExporterConfiguration(environment: environment).description
        } catch {
            return String(describing: error)
        }
    }
}

private let langfuseVariables = [
    "LANGFUSE_PUBLIC_KEY", "LANGFUSE_SECRET_KEY", "LANGFUSE_BASE_URL", "LANGFUSE_HOST",
    "LANGFUSE_TRACING_ENVIRONMENT", "LANGFUSE_RELEASE", "LANGFUSE_SAMPLE_RATE", "LANGFUSE_FLUSH_AT",
    "LANGFUSE_FLUSH_INTERVAL", "LANGFUSE_TIMEOUT", "LANGFUSE_TRACING_ENABLED", "LANGFUSE_DEBUG",
]

/// `LangfuseSettings(environment:api:)`, for both APIs: LANGFUSE_*.
func fuzzLangfuseEnvironment(_ bytes: [UInt8]) {
    let input = EnvironmentInput(bytes, names: langfuseVariables)
    for api in LangfuseConfiguration.API.allCases {
        _ = try? LangfuseSettings(environment: input.whole, api: api)
        guard checksSecretLeaks else {
            _ = try? LangfuseSettings(environment: input.split, api: api)
            continue
        }
        // Secrets: the secret key and the server URL's credentials. The public key is public.
        var secrets: [Secret] = []
        for (name, raw) in input.split {
            switch name {
            case "LANGFUSE_SECRET_KEY": secrets.append(Secret(variable: name, value: raw, range: trimmedRange(raw[...])))
            case "LANGFUSE_BASE_URL", "LANGFUSE_HOST": secrets += urlCredentials(raw, variable: name)
            default: break
            }
        }
        expectNoSecret(secrets, in: input.split, what: "LangfuseSettings(api: .\(api))") { environment in
            do {
                return try LangfuseSettings(environment: environment, api: api).configuration.description
            } catch {
                return String(describing: error)
            }
        }
    }
}

/// Whether the environment targets trap on a repeated secret (see `expectNoSecret`).
let checksSecretLeaks = true

/// Whether a header member written the HTTP way, `Authorization: Bearer …` (no `=`), counts
/// its part after `:` as a secret value.
///
/// On since the environment reader (`EnvironmentReader.keyValueList`) names a malformed member of a secret by position only
/// (it quoted the member as the header's key, token and all: the fuzzer's find, now a case of
/// `OTLPExporterConfigurationSecretsTests.malformedHeadersNameThePositionAndNoPartOfAKeyOrValue`).
let checksColonFormHeaders = true
