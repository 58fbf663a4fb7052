import Foundation
import OTLPProto
import Testing
import Tracez
import TracezTestSupport

@testable import TracezOTLP

/// The `OTEL_EXPORTER_OTLP_TRACES_` forms of `PROTOCOL` and `INSECURE` against the general
/// ones, read by `OTLPExporterConfiguration(environment:)`; the protocol also as a loopback
/// backend receives it.
@Suite(.timeLimit(.minutes(3))) struct OTLPEnvironmentPrecedenceTests {
    typealias Request = Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceRequest

    // MARK: PROTOCOL

    @Test(arguments: [
        ("http/json", "http/protobuf", OTLPExporterConfiguration.Encoding.json),
        ("http/protobuf", "http/json", .protobuf),
    ])
    func tracesProtocolWinsOverTheGeneralOne(traces: String, general: String, expected: OTLPExporterConfiguration.Encoding) throws {
        let configuration = try OTLPExporterConfiguration(environment: [
            "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": traces,
            "OTEL_EXPORTER_OTLP_PROTOCOL": general,
        ])
        #expect(configuration.encoding == expected)
    }

    @Test func generalProtocolAppliesWhenTheTracesFormIsEmpty() throws {
        let configuration = try OTLPExporterConfiguration(environment: [
            "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": " ",
            "OTEL_EXPORTER_OTLP_PROTOCOL": "http/json",
        ])
        #expect(configuration.encoding == .json)
    }

    @Test func anUnreadableTracesProtocolIsNamedEvenWhenTheGeneralOneIsGood() {
        #expect {
            try OTLPExporterConfiguration(environment: [
                "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "grpc",
                "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",
            ])
        } throws: { error in
            guard let failure = error as? TracezError, failure.code == .invalidEnvironmentVariable,
                let name = failure.name, let reason = failure.reason
            else { return false }
            return name == "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL" && reason.contains("grpc")
        }
    }

    /// What reaches a backend configured with `environment` plus its endpoint: one request for one span.
    func sendOneSpan(environment: [String: String]) async throws -> TestBackend.Request {
        let backend = TestBackend()
        try await backend.start()
        let configuration = try OTLPExporterConfiguration(environment: environment.merging(["OTEL_EXPORTER_OTLP_ENDPOINT": backend.url]) { $1 })
        let collector = try Collector(configuration: CollectorConfiguration(name: "otlp", capacity: 16))
        let pipeline = try ExportPipeline(
            collector: collector,
            exporter: OTLPHTTPExporter(configuration: configuration, resource: OTLPResource(serviceName: "precedence")),
            configuration: ExportConfiguration(maxBatchSize: 16, interval: .seconds(3600), retry: RetryPolicy(maxAttempts: 1))
        )
        let tracer = Tracer(configuration: TracerConfiguration(serviceName: "precedence"), pipelines: [pipeline])
        tracer.withSpan("checkout") { $0.attributes["step"] = 1 }
        let statistics = await tracer.shutdown(deadline: .now + .seconds(30))
        try await backend.stop()
        #expect(statistics.exported == 1)
        let requests = backend.requests
        try #require(requests.count == 1)
        return requests[0]
    }

    @Test func theBackendReceivesJSONWhenOnlyTheTracesFormAsksForIt() async throws {
        let request = try await sendOneSpan(environment: [
            "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "http/json",
            "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",
        ])
        #expect(request.uri == "/v1/traces")
        #expect(request.header("Content-Type") == "application/json")
        let body = try #require(try JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any])
        #expect(body["resourceSpans"] != nil)
        #expect(String(decoding: request.body, as: UTF8.self).contains("\"checkout\""))
    }

    @Test func theBackendReceivesProtobufWhenTheTracesFormAsksForIt() async throws {
        let request = try await sendOneSpan(environment: [
            "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "http/protobuf",
            "OTEL_EXPORTER_OTLP_PROTOCOL": "http/json",
        ])
        #expect(request.header("Content-Type") == "application/x-protobuf")
        let message = try Request(serializedBytes: request.body)
        #expect(message.resourceSpans.flatMap(\.scopeSpans).flatMap(\.spans).map(\.name) == ["checkout"])
    }

    // MARK: INSECURE

    static let networkEndpoint = ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector.example:4318"]

    @Test func tracesInsecureTrueWinsOverAGeneralFalse() throws {
        let configuration = try OTLPExporterConfiguration(
            environment: Self.networkEndpoint.merging([
                "OTEL_EXPORTER_OTLP_TRACES_INSECURE": "true",
                "OTEL_EXPORTER_OTLP_INSECURE": "false",
            ]) { $1 })
        #expect(configuration.endpoint.url.absoluteString == "http://collector.example:4318/v1/traces")
        #expect(!configuration.endpoint.isSecure)
    }

    @Test func tracesInsecureFalseWinsOverAGeneralTrue() {
        #expect {
            try OTLPExporterConfiguration(
                environment: Self.networkEndpoint.merging([
                    "OTEL_EXPORTER_OTLP_TRACES_INSECURE": "false",
                    "OTEL_EXPORTER_OTLP_INSECURE": "true",
                ]) { $1 })
        } throws: { error in
            guard let failure = error as? TracezError, failure.code == .invalidEnvironmentVariable,
                let name = failure.name, let reason = failure.reason
            else { return false }
            return name == "OTEL_EXPORTER_OTLP_ENDPOINT" && reason.contains("plain http://")
        }
    }

    @Test func insecureTakesOneAsEveryTracezFlagDoes() throws {
        let configuration = try OTLPExporterConfiguration(environment: Self.networkEndpoint.merging(["OTEL_EXPORTER_OTLP_INSECURE": "1"]) { $1 })
        #expect(configuration.endpoint.host == "collector.example")
    }

    @Test func tracesInsecureAppliesToTheTracesEndpoint() throws {
        let configuration = try OTLPExporterConfiguration(environment: [
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector.example:4318/custom",
            "OTEL_EXPORTER_OTLP_TRACES_INSECURE": "TRUE",
        ])
        #expect(configuration.endpoint.url.absoluteString == "http://collector.example:4318/custom")
    }

    @Test func generalInsecureAppliesWhenTheTracesFormIsEmpty() throws {
        let configuration = try OTLPExporterConfiguration(
            environment: Self.networkEndpoint.merging([
                "OTEL_EXPORTER_OTLP_TRACES_INSECURE": "",
                "OTEL_EXPORTER_OTLP_INSECURE": "true",
            ]) { $1 })
        #expect(configuration.endpoint.host == "collector.example")
    }

    @Test func anUnreadableTracesInsecureIsNamed() {
        #expect {
            try OTLPExporterConfiguration(
                environment: Self.networkEndpoint.merging([
                    "OTEL_EXPORTER_OTLP_TRACES_INSECURE": "yes",
                    "OTEL_EXPORTER_OTLP_INSECURE": "true",
                ]) { $1 })
        } throws: { error in
            guard let failure = error as? TracezError, failure.code == .invalidEnvironmentVariable,
                let name = failure.name, let value = failure.value
            else { return false }
            return name == "OTEL_EXPORTER_OTLP_TRACES_INSECURE" && value == "yes"
        }
    }

    @Test func theHintForAPlainHTTPEndpointNamesTheVariableThatDecides() {
        do {
            _ = try OTLPExporterConfiguration(environment: [
                "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector.example:4318",
                "OTEL_EXPORTER_OTLP_TRACES_INSECURE": "false",
                "OTEL_EXPORTER_OTLP_INSECURE": "true",
            ])
            Issue.record("plain http to a network host was accepted though the TRACES_ form says false")
        } catch {
            guard error.code == .invalidEnvironmentVariable, let reason = error.reason else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(reason.contains("OTEL_EXPORTER_OTLP_TRACES_INSECURE=true"), "\(reason)")
        }
    }
}
