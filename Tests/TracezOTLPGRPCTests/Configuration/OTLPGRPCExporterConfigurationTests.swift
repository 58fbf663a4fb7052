import Testing
import Tracez

@testable import TracezOTLPGRPC

/// `OTLPGRPCExporterConfiguration(environment:)`: the OTel variables as the gRPC exporter reads them.
struct OTLPGRPCExporterConfigurationTests {
    @Test func nothingSetMeansTheLocalCollectorsGRPCPort() throws {
        let configuration = try OTLPGRPCExporterConfiguration(environment: [:])
        #expect(configuration.endpoint.url.absoluteString == "http://localhost:4317")
        #expect(configuration.host == "localhost")
        #expect(configuration.port == 4317)
        #expect(!configuration.endpoint.isSecure)
        #expect(configuration.compression == .none)
        #expect(configuration.timeout == .seconds(10))
        #expect(configuration.headers.isEmpty)
    }

    @Test func theEndpointIsUsedAsItIsAndItsPathIgnored() throws {
        let configuration = try OTLPGRPCExporterConfiguration(environment: [
            "OTEL_EXPORTER_OTLP_ENDPOINT": "https://collector.example:4317/v1/traces"
        ])
        #expect(configuration.host == "collector.example")
        #expect(configuration.port == 4317)
        #expect(configuration.endpoint.isSecure)
    }

    @Test func theTracesEndpointWinsAndAPortDefaultsByScheme() throws {
        let configuration = try OTLPGRPCExporterConfiguration(environment: [
            "OTEL_EXPORTER_OTLP_ENDPOINT": "https://general.example:4317",
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "https://traces.example",
        ])
        #expect(configuration.host == "traces.example")
        #expect(configuration.port == 443)
    }

    @Test func aHostAndPortWithoutSchemeIsTLSUnlessInsecure() throws {
        let secure = try OTLPGRPCExporterConfiguration(environment: ["OTEL_EXPORTER_OTLP_ENDPOINT": "collector:4317"])
        #expect(secure.endpoint.isSecure)
        #expect(secure.host == "collector")
        #expect(secure.port == 4317)
        let insecure = try OTLPGRPCExporterConfiguration(environment: [
            "OTEL_EXPORTER_OTLP_ENDPOINT": "collector:4317", "OTEL_EXPORTER_OTLP_INSECURE": "true",
        ])
        #expect(!insecure.endpoint.isSecure)
        #expect(insecure.port == 4317)
    }

    @Test func plainTextToAnotherHostNeedsInsecure() throws {
        #expect {
            try OTLPGRPCExporterConfiguration(environment: ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector.example:4317"])
        } throws: { error in
            "\(error)".contains("OTEL_EXPORTER_OTLP_ENDPOINT") && "\(error)".contains("OTEL_EXPORTER_OTLP_INSECURE=true")
        }
        let allowed = try OTLPGRPCExporterConfiguration(environment: [
            "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector.example:4317", "OTEL_EXPORTER_OTLP_TRACES_INSECURE": "1",
        ])
        #expect(!allowed.endpoint.isSecure)
    }

    @Test func headersCompressionAndTimeoutAreRead() throws {
        let configuration = try OTLPGRPCExporterConfiguration(environment: [
            "OTEL_EXPORTER_OTLP_HEADERS": "authorization=Bearer%20abc123,x-team=tracing",
            "OTEL_EXPORTER_OTLP_TRACES_COMPRESSION": "GZIP",
            "OTEL_EXPORTER_OTLP_TIMEOUT": "2500",
            "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",
        ])
        #expect(configuration.headers.map(\.name) == ["authorization", "x-team"])
        #expect(configuration.headers.map(\.value) == ["Bearer abc123", "tracing"])
        #expect(configuration.compression == .gzip)
        #expect(configuration.timeout == .milliseconds(2500))
        #expect(!"\(configuration)".contains("abc123"))
        #expect(!String(reflecting: configuration).contains("abc123"))
    }

    @Test func anotherProtocolIsAClearError() throws {
        #expect {
            try OTLPGRPCExporterConfiguration(environment: ["OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf"])
        } throws: { error in
            "\(error)".contains("OTEL_EXPORTER_OTLP_PROTOCOL") && "\(error)".contains("OTLPExporterConfiguration")
        }
    }

    @Test func aBadHeaderNeverRepeatsItsValue() throws {
        #expect {
            try OTLPGRPCExporterConfiguration(environment: ["OTEL_EXPORTER_OTLP_HEADERS": "authorization=secret-value%0Anext"])
        } throws: { error in
            "\(error)".contains("OTEL_EXPORTER_OTLP_HEADERS") && !"\(error)".contains("secret-value")
        }
    }

    @Test func grpcIsRequestedOnlyByTheProtocolVariable() {
        #expect(OTLPGRPCExporterConfiguration.isRequested(by: ["OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"]))
        #expect(OTLPGRPCExporterConfiguration.isRequested(by: ["OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": " GRPC "]))
        #expect(!OTLPGRPCExporterConfiguration.isRequested(by: ["OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf"]))
        #expect(
            !OTLPGRPCExporterConfiguration.isRequested(by: [
                "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "http/protobuf",
            ]))
        #expect(!OTLPGRPCExporterConfiguration.isRequested(by: [:]))
    }

    @Test func theHTTPConfigurationPointsAtThisModuleForGRPC() {
        #expect {
            try OTLPExporterConfiguration(environment: ["OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"])
        } throws: { error in
            "\(error)".contains("TracezOTLPGRPC")
        }
    }
}
