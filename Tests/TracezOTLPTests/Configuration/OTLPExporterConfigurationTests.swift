import Testing
import Tracez

@testable import TracezOTLP

@Suite(.timeLimit(.minutes(3))) struct OTLPExporterConfigurationTests {
    @Test func emptyEnvironmentUsesTheOTelDefaults() throws {
        let configuration = try OTLPExporterConfiguration(environment: [:])
        #expect(configuration.endpoint.url.absoluteString == "http://localhost:4318/v1/traces")
        #expect(configuration.encoding == .protobuf)
        #expect(configuration.compression == .none)
        #expect(configuration.timeout == .seconds(10))
        #expect(configuration.headers.isEmpty)
    }

    @Test(arguments: [
        ("https://collector.example:4318", "https://collector.example:4318/v1/traces"),
        ("https://collector.example:4318/", "https://collector.example:4318/v1/traces"),
        ("https://gateway.example/otlp", "https://gateway.example/otlp/v1/traces"),
        ("http://127.0.0.1:4318", "http://127.0.0.1:4318/v1/traces"),
    ])
    func baseEndpointGetsTheTracesPath(_ base: String, _ expected: String) throws {
        let configuration = try OTLPExporterConfiguration(environment: ["OTEL_EXPORTER_OTLP_ENDPOINT": base])
        #expect(configuration.endpoint.url.absoluteString == expected)
    }

    @Test func tracesEndpointIsUsedAsItIsAndWins() throws {
        let configuration = try OTLPExporterConfiguration(environment: [
            "OTEL_EXPORTER_OTLP_ENDPOINT": "https://ignored.example",
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "https://collector.example/custom/path",
        ])
        #expect(configuration.endpoint.url.absoluteString == "https://collector.example/custom/path")
    }

    @Test func headersArePercentDecodedAndTheTracesFormWins() throws {
        let general = try OTLPExporterConfiguration(environment: [
            "OTEL_EXPORTER_OTLP_HEADERS": "Authorization=Basic%20cGs6c2s%3D, x-team = llm ,x-empty="
        ])
        #expect(general.headers.map(\.name) == ["Authorization", "x-team", "x-empty"])
        #expect(general.headers.map(\.value) == ["Basic cGs6c2s=", "llm", ""])
        let specific = try OTLPExporterConfiguration(environment: [
            "OTEL_EXPORTER_OTLP_HEADERS": "a=1",
            "OTEL_EXPORTER_OTLP_TRACES_HEADERS": "b=2",
        ])
        #expect(specific.headers.map(\.name) == ["b"])
    }

    @Test func compressionTimeoutAndProtocol() throws {
        let configuration = try OTLPExporterConfiguration(environment: [
            "OTEL_EXPORTER_OTLP_COMPRESSION": "GZIP",
            "OTEL_EXPORTER_OTLP_TIMEOUT": "2500",
            "OTEL_EXPORTER_OTLP_PROTOCOL": "http/json",
        ])
        #expect(configuration.compression == .gzip)
        #expect(configuration.timeout == .milliseconds(2500))
        #expect(configuration.encoding == .json)
        let specific = try OTLPExporterConfiguration(environment: [
            "OTEL_EXPORTER_OTLP_COMPRESSION": "gzip",
            "OTEL_EXPORTER_OTLP_TRACES_COMPRESSION": "none",
        ])
        #expect(specific.compression == .none)
    }

    @Test func plainHTTPToANetworkHostNeedsInsecure() throws {
        #expect {
            try OTLPExporterConfiguration(environment: ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://otel-collector:4318"])
        } throws: { error in
            guard let failure = error as? TracezError, failure.code == .invalidEnvironmentVariable,
                let name = failure.name, let reason = failure.reason
            else { return false }
            return name == "OTEL_EXPORTER_OTLP_ENDPOINT" && reason.contains("OTEL_EXPORTER_OTLP_INSECURE")
        }
        let allowed = try OTLPExporterConfiguration(environment: [
            "OTEL_EXPORTER_OTLP_ENDPOINT": "http://otel-collector:4318",
            "OTEL_EXPORTER_OTLP_INSECURE": "true",
        ])
        #expect(allowed.endpoint.url.absoluteString == "http://otel-collector:4318/v1/traces")
    }

    @Test(arguments: [
        ("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4318"),
        ("OTEL_EXPORTER_OTLP_ENDPOINT", "ftp://collector.example"),
        ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "https://"),
        ("OTEL_EXPORTER_OTLP_COMPRESSION", "zstd"),
        ("OTEL_EXPORTER_OTLP_TIMEOUT", "10s"),
        ("OTEL_EXPORTER_OTLP_TIMEOUT", "0"),
        ("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "-5"),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/thrift"),
        ("OTEL_EXPORTER_OTLP_INSECURE", "yes"),
    ])
    func malformedValuesNameTheVariable(_ name: String, _ raw: String) {
        #expect {
            try OTLPExporterConfiguration(environment: [name: raw])
        } throws: { error in
            guard let failure = error as? TracezError, failure.code == .invalidEnvironmentVariable,
                let variable = failure.name
            else { return false }
            return variable == name
        }
    }

    @Test(arguments: [
        "Authorization",  // no =
        "=secret-token-value",  // no key
        "bad key=secret-token-value",  // a space in the key
        "x-token=secret%zztoken",  // a malformed escape
        "x-token=secret%0D%0AInjected: yes",  // header injection
    ])
    func malformedHeadersNeverEchoTheValue(_ raw: String) {
        #expect {
            try OTLPExporterConfiguration(environment: ["OTEL_EXPORTER_OTLP_HEADERS": raw])
        } throws: { error in
            guard let failure = error as? TracezError, failure.code == .invalidEnvironmentVariable,
                let name = failure.name
            else { return false }
            return name == "OTEL_EXPORTER_OTLP_HEADERS" && !"\(error)".contains("secret")
        }
    }

    @Test func descriptionNamesHeadersButNotTheirValues() throws {
        let configuration = try OTLPExporterConfiguration(environment: [
            "OTEL_EXPORTER_OTLP_HEADERS": "Authorization=Bearer%20top-secret-1234"
        ])
        #expect("\(configuration)".contains("Authorization"))
        #expect(!"\(configuration)".contains("top-secret"))
    }
}
