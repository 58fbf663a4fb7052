import GRPCCore
import OTLPProto
import Testing
import Tracez
import TracezGRPCTestSupport
import TracezTestSupport

@testable import TracezOTLPGRPC

/// The OTLP/gRPC exporter through the export pipeline to a gRPC server on loopback
/// (grpc-swift's own, `GRPCTestCollector`), which decodes what it receives with the
/// protoc-generated code and plays a good or a failing collector.
@Suite(.timeLimit(.minutes(3))) struct OTLPGRPCExporterTests {
    static let token = "Bearer grpc-secret-token-0123"

    func makeExporter(
        _ collector: GRPCTestCollector,
        _ configure: (inout OTLPGRPCExporterConfiguration) -> Void = { _ in }
    ) throws -> OTLPGRPCExporter {
        // Generous: under Thread Sanitizer on a busy 2-core machine a call has taken over 5 s.
        var configuration = OTLPGRPCExporterConfiguration(endpoint: try HTTPEndpoint("http://127.0.0.1:\(collector.port)"), timeout: .seconds(60))
        configure(&configuration)
        return try OTLPGRPCExporter(configuration: configuration, resource: OTLPResource(serviceName: "grpc-tests"))
    }

    func makeTracer(_ exporter: OTLPGRPCExporter, retry: Tracez.RetryPolicy = Tracez.RetryPolicy(maxAttempts: 1)) throws -> Tracez.Tracer {
        let pipeline = try ExportPipeline(
            collector: Collector(configuration: CollectorConfiguration(name: "otlp-grpc", capacity: 1024)),
            exporter: exporter,
            configuration: ExportConfiguration(maxBatchSize: 40, interval: .seconds(3600), retry: retry)
        )
        return Tracez.Tracer(configuration: TracerConfiguration(serviceName: "grpc-tests"), pipelines: [pipeline])
    }

    func recordSpans(_ count: Int, into tracer: Tracez.Tracer) {
        for index in 0..<count {
            tracer.withSpan("operation \(index)", ofKind: .client) { span in
                span.attributes["index"] = index
                span.addEvent("halfway")
            }
        }
    }

    /// Records made directly, for calls to `export` without a pipeline.
    func records(_ count: Int) throws -> [SpanRecord] {
        let (tracer, collector) = try TracezTestSupport.makeTracer()
        recordSpans(count, into: tracer)
        return collector.takeAll()
    }

    @Test(arguments: [OTLPGRPCExporterConfiguration.Compression.none, .gzip])
    func spansArriveWholeWithTheirMetadata(compression: OTLPGRPCExporterConfiguration.Compression) async throws {
        let collector = try await GRPCTestCollector()
        let exporter = try makeExporter(collector) {
            $0.compression = compression
            $0.headers = [(name: "Authorization", value: Self.token), (name: "X-Scope", value: "tests"), (name: "content-type", value: "text/plain")]
        }
        let tracer = try makeTracer(exporter)
        recordSpans(100, into: tracer)
        let statistics = await tracer.shutdown(deadline: .now + .seconds(30))
        #expect(statistics.exported == 100)
        #expect(statistics.isBalanced)

        #expect(collector.calls.count == 3)  // batches of 40
        for call in collector.calls {
            #expect(Array(call.metadata[stringValues: "authorization"]) == [Self.token])
            #expect(Array(call.metadata[stringValues: "x-scope"]) == ["tests"])
            // The reserved header was not sent: the call would have failed with it.
            #expect(Array(call.metadata[stringValues: "content-type"]) == ["application/grpc"])
            #expect(Array(call.metadata[stringValues: "grpc-encoding"]) == (compression == .gzip ? ["gzip"] : []))
            #expect(call.request.resourceSpans.first?.resource.attributes.contains { $0.key == "service.name" && $0.value.stringValue == "grpc-tests" } == true)
        }
        let spans = collector.spans
        #expect(spans.map(\.name).sorted() == (0..<100).map { "operation \($0)" }.sorted())
        #expect(spans.allSatisfy { $0.kind == .client && $0.events.map(\.name) == ["halfway"] && $0.traceID.count == 16 && $0.spanID.count == 8 })
        await collector.stop()
    }

    @Test func aPartialSuccessCountsTheRejectedSpans() async throws {
        let collector = try await GRPCTestCollector { call in call == 0 ? .partial(rejected: 3, message: "3 spans too old") : .accept }
        let tracer = try makeTracer(try makeExporter(collector))
        recordSpans(50, into: tracer)
        let statistics = await tracer.shutdown(deadline: .now + .seconds(30))
        #expect(statistics.dropped[DropReason.rejectedByBackend] == 3)
        #expect(statistics.exported == 47)
        #expect(statistics.isBalanced)
        await collector.stop()
    }

    /// OTLP's rules for gRPC status codes: which are retried and which are rejections.
    @Test(arguments: [
        (RPCError.Code.unavailable, ExportError.Code.transient),
        (.cancelled, .transient),
        (.deadlineExceeded, .transient),
        (.aborted, .transient),
        (.outOfRange, .transient),
        (.dataLoss, .transient),
        (.resourceExhausted, .rejected),  // without RetryInfo
        (.invalidArgument, .rejected),
        (.unauthenticated, .rejected),
        (.permissionDenied, .rejected),
        (.unimplemented, .rejected),
        (.internalError, .rejected),
        (.unknown, .rejected),
    ])
    func aStatusIsClassifiedByTheOTLPRules(status: RPCError.Code, expected: ExportError.Code) async throws {
        let collector = try await GRPCTestCollector { _ in .fail(status, message: "collector says \(status)") }
        let exporter = try makeExporter(collector)
        let error = try await #require(throws: ExportError.self) { try await exporter.export(try records(2)) }
        #expect(error.code == expected)
        #expect(error.retryAfter == nil)
        #expect(error.reason.contains("collector says"))
        await exporter.shutdown()
        await collector.stop()
    }

    @Test func resourceExhaustedWithRetryInfoIsRetriedAfterItsDelay() async throws {
        let collector = try await GRPCTestCollector { _ in .fail(.resourceExhausted, message: "slow down", retryDelay: .milliseconds(2500)) }
        let exporter = try makeExporter(collector)
        let error = try await #require(throws: ExportError.self) { try await exporter.export(try records(2)) }
        #expect(error.code == .transient)
        #expect(error.retryAfter == .milliseconds(2500))
        await exporter.shutdown()
        await collector.stop()
    }

    @Test func unavailableWithRetryInfoCarriesItsDelay() async throws {
        let collector = try await GRPCTestCollector { _ in .fail(.unavailable, message: "restarting", retryDelay: .seconds(1)) }
        let exporter = try makeExporter(collector)
        let error = try await #require(throws: ExportError.self) { try await exporter.export(try records(1)) }
        #expect(error.code == .transient)
        #expect(error.retryAfter == .seconds(1))
        await exporter.shutdown()
        await collector.stop()
    }

    @Test func thePipelineRetriesAfterTheRetryInfoDelayAndDelivers() async throws {
        let collector = try await GRPCTestCollector { call in
            call == 0 ? .fail(.resourceExhausted, message: "slow down", retryDelay: .milliseconds(200)) : .accept
        }
        let tracer = try makeTracer(try makeExporter(collector), retry: Tracez.RetryPolicy(maxAttempts: 3, initialDelay: .milliseconds(10)))
        recordSpans(10, into: tracer)
        let statistics = await tracer.shutdown(deadline: .now + .seconds(30))
        #expect(statistics.exported == 10)
        #expect(statistics.isBalanced)
        #expect(collector.calls.count == 2)
        #expect(collector.spans.count == 20)  // the same 10, sent twice
        await collector.stop()
    }

    @Test func aCollectorThatIsNotThereIsTransient() async throws {
        let collector = try await GRPCTestCollector()
        let exporter = try makeExporter(collector)
        await collector.stop()
        let error = try await #require(throws: ExportError.self) { try await exporter.export(try records(1)) }
        #expect(error.code == .transient)
        await exporter.shutdown()
    }

    @Test func aCollectorThatNeverAnswersIsCutAtTheTimeout() async throws {
        let collector = try await GRPCTestCollector { _ in .hang }
        let exporter = try makeExporter(collector) { $0.timeout = .milliseconds(300) }
        let error = try await #require(throws: ExportError.self) { try await exporter.export(try records(1)) }
        #expect(error.code == .transient)
        #expect(error.reason.contains("deadlineExceeded") || error.reason.contains("(4)"))
        await exporter.shutdown()
        await collector.stop()
    }

    @Test func aSecretTheCollectorEchoesIsRedacted() async throws {
        let collector = try await GRPCTestCollector { _ in .fail(.unauthenticated, message: "bad token \(Self.token)") }
        let exporter = try makeExporter(collector) { $0.headers = [(name: "authorization", value: Self.token)] }
        let error = try await #require(throws: ExportError.self) { try await exporter.export(try records(1)) }
        #expect(error.code == .rejected)
        #expect(!"\(error)".contains("grpc-secret-token"))
        #expect(error.reason.contains("[redacted]"))
        #expect(!"\(exporter)".contains("grpc-secret-token"))
        await exporter.shutdown()
        await collector.stop()
    }

    @Test func aBatchOverTheSizeLimitIsSplitAndASpanTooLargeAloneIsDropped() async throws {
        let collector = try await GRPCTestCollector()
        let exporter = try makeExporter(collector) { $0.maxRequestBytes = 2_000 }
        let tracer = try makeTracer(exporter)
        recordSpans(30, into: tracer)
        tracer.withSpan("huge") { $0.attributes["blob"] = String(repeating: "x", count: 10_000) }
        let statistics = await tracer.shutdown(deadline: .now + .seconds(30))
        #expect(statistics.exported == 30)
        #expect(statistics.dropped[DropReason.tooLarge] == 1)
        #expect(statistics.isBalanced)
        #expect(collector.calls.count > 1)
        #expect(collector.spans.count == 30)
        #expect(!collector.spans.contains { $0.name == "huge" })
        await collector.stop()
    }

    /// A shutdown that waited for the calls' own timeout (10 minutes) would break the suite's
    /// three-minute limit: the limit is what checks that the deadline bounds it. Not a
    /// `MachineShare.timing` test: waiting for the heavy tests would count against that limit,
    /// and nothing here depends on timing but the bound.
    @Test func shutdownUnderLoadIsBoundedByItsDeadlineAndCountsEverySpan() async throws {
        let collector = try await GRPCTestCollector { _ in .hang }
        let exporter = try makeExporter(collector) { $0.timeout = .seconds(600) }
        let tracer = try makeTracer(exporter, retry: Tracez.RetryPolicy(maxAttempts: 5))
        recordSpans(500, into: tracer)
        let statistics = await tracer.shutdown(deadline: .now + .seconds(1))
        #expect(statistics.recorded == 500)
        #expect(statistics.exported == 0)
        #expect(statistics.dropped.total == 500)
        #expect(statistics.isBalanced)
        await collector.stop()
    }
}
