import Foundation
import OTLPProto
import Testing
import Tracez
import TracezTestSupport

@_spi(Benchmarks) @testable import TracezOTLP

/// The OTLP exporter through the export pipeline to a real HTTP server on loopback, which
/// decodes what it receives with the protoc-generated code.
@Suite(.timeLimit(.minutes(3))) struct OTLPHTTPExporterTests {
    typealias Request = Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceRequest
    typealias Response = Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceResponse

    struct Setup {
        let backend: TestBackend
        let tracer: Tracer
    }

    func makeSetup(_ configure: (inout OTLPExporterConfiguration) -> Void = { _ in }) async throws -> Setup {
        let backend = TestBackend()
        try await backend.start()
        var configuration = OTLPExporterConfiguration(endpoint: try HTTPEndpoint(backend.url).appending(path: "v1/traces"), timeout: .seconds(5))
        configure(&configuration)
        let exporter = OTLPHTTPExporter(configuration: configuration, resource: OTLPResource(serviceName: "exporter-tests"))
        let collector = try Collector(configuration: CollectorConfiguration(name: "otlp", capacity: 1024))
        let pipeline = try ExportPipeline(
            collector: collector,
            exporter: exporter,
            configuration: ExportConfiguration(maxBatchSize: 40, interval: .seconds(3600), retry: RetryPolicy(maxAttempts: 1))
        )
        return Setup(backend: backend, tracer: Tracer(configuration: TracerConfiguration(serviceName: "exporter-tests"), pipelines: [pipeline]))
    }

    func recordSpans(_ count: Int, into tracer: Tracer) {
        for index in 0..<count {
            tracer.withSpan("operation \(index)", ofKind: .client) { span in
                span.attributes["index"] = index
                span.addEvent("halfway")
            }
        }
    }

    func decodedSpans(_ backend: TestBackend, decode: (TestBackend.Request) throws -> Request) throws -> [Opentelemetry_Proto_Trace_V1_Span] {
        try backend.requests.flatMap { request in
            try decode(request).resourceSpans.flatMap(\.scopeSpans).flatMap(\.spans)
        }
    }

    @Test func protobufWithGzipAndHeadersArrivesWhole() async throws {
        let setup = try await makeSetup {
            $0.compression = .gzip
            $0.headers = [(name: "Authorization", value: "Bearer secret-token"), (name: "x-scope", value: "tests")]
        }
        recordSpans(100, into: setup.tracer)
        let statistics = await setup.tracer.shutdown(deadline: .now + .seconds(30))
        #expect(statistics.exported == 100)
        #expect(statistics.isBalanced)
        for request in setup.backend.requests {
            #expect(request.uri == "/v1/traces")
            #expect(request.header("Content-Type") == "application/x-protobuf")
            #expect(request.header("Content-Encoding") == "gzip")
            #expect(request.header("Authorization") == "Bearer secret-token")
            #expect(request.header("x-scope") == "tests")
        }
        let spans = try decodedSpans(setup.backend) { try Request(serializedBytes: try gunzip($0.body)) }
        #expect(spans.map(\.name).sorted() == (0..<100).map { "operation \($0)" }.sorted())
        #expect(spans.allSatisfy { $0.kind == .client && $0.events.map(\.name) == ["halfway"] })
        #expect(setup.backend.requests.count == 3)  // batches of 40
        try await setup.backend.stop()
    }

    @Test func jsonArrivesAsOTLPJSON() async throws {
        let setup = try await makeSetup { $0.encoding = .json }
        recordSpans(10, into: setup.tracer)
        let statistics = await setup.tracer.shutdown(deadline: .now + .seconds(30))
        #expect(statistics.exported == 10)
        #expect(setup.backend.requests.allSatisfy { $0.header("Content-Type") == "application/json" && $0.header("Content-Encoding") == nil })
        let spans = try decodedSpans(setup.backend) { try Request(jsonUTF8Bytes: try OTLPJSON.withBase64IDs($0.body)) }
        #expect(spans.count == 10)
        #expect(spans.allSatisfy { $0.traceID.count == 16 && $0.spanID.count == 8 })
        try await setup.backend.stop()
    }

    @Test func partialSuccessCountsTheRejectedSpansAndDoesNotResendThem() async throws {
        let setup = try await makeSetup()
        var answer = Response()
        answer.partialSuccess.rejectedSpans = 3
        answer.partialSuccess.errorMessage = "attribute too long"
        let body: [UInt8] = try answer.serializedBytes()
        setup.backend.answer { number in
            number == 0 ? .bytes(200, headers: [("Content-Type", "application/x-protobuf")], body: body) : .status(200)
        }
        recordSpans(40, into: setup.tracer)  // one batch
        recordSpans(5, into: setup.tracer)
        let statistics = await setup.tracer.shutdown(deadline: .now + .seconds(30))
        #expect(statistics.dropped[.rejectedByBackend] == 3)
        #expect(statistics.exported == 42)
        #expect(statistics.isBalanced)
        #expect(try decodedSpans(setup.backend) { try Request(serializedBytes: $0.body) }.count == 45)  // nothing re-sent
        try await setup.backend.stop()
    }

    @Test func aGarbageBodyOnA200CountsAsAccepted() async throws {
        let setup = try await makeSetup()
        setup.backend.answer { _ in .status(200, headers: [("Content-Type", "application/x-protobuf")], body: "<html>ok</html>") }
        recordSpans(7, into: setup.tracer)
        let statistics = await setup.tracer.shutdown(deadline: .now + .seconds(30))
        #expect(statistics.exported == 7)
        #expect(statistics.isBalanced)
        try await setup.backend.stop()
    }

    @Test func aCollectorThatRejectsMoreThanItWasSentIsCappedAtTheBatch() async throws {
        let setup = try await makeSetup()
        var answer = Response()
        answer.partialSuccess.rejectedSpans = 1_000_000
        let body: [UInt8] = try answer.serializedBytes()
        setup.backend.answer { _ in .bytes(200, body: body) }
        recordSpans(6, into: setup.tracer)
        let statistics = await setup.tracer.shutdown(deadline: .now + .seconds(30))
        #expect(statistics.dropped[.rejectedByBackend] == 6)
        #expect(statistics.exported == 0)
        #expect(statistics.isBalanced)
        try await setup.backend.stop()
    }

    @Test func descriptionNeverShowsHeaderValues() throws {
        let exporter = OTLPHTTPExporter(
            configuration: OTLPExporterConfiguration(
                endpoint: try HTTPEndpoint("https://user:password@collector.example/v1/traces"),
                headers: [(name: "Authorization", value: "Bearer secret-token")]
            ),
            resource: OTLPResource(serviceName: "x")
        )
        #expect("\(exporter)".contains("Authorization"))
        #expect(!"\(exporter)".contains("secret-token"))
        #expect(!"\(exporter)".contains("password"))
    }
}
