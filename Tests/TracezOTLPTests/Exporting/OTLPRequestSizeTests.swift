import Foundation
import OTLPProto
import Testing
import Tracez
import TracezTestSupport

@testable import TracezOTLP

/// Batches larger than a request may be: split until each part fits, and a span that alone
/// is too large is never sent (the backend could only refuse it with 413), but counted.
@Suite(.timeLimit(.minutes(3))) struct OTLPRequestSizeTests {
    typealias Request = Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceRequest

    func run(
        maxRequestBytes: Int,
        encoding: OTLPExporterConfiguration.Encoding = .protobuf,
        backendReplies: @escaping @Sendable (Int) -> TestBackend.Reply = { _ in .status(200) },
        record: (Tracer) -> Void
    ) async throws -> (CollectorStatistics, TestBackend) {
        let backend = TestBackend()
        backend.answer(backendReplies)
        try await backend.start()
        let configuration = OTLPExporterConfiguration(
            endpoint: try HTTPEndpoint(backend.url).appending(path: "v1/traces"),
            encoding: encoding,
            timeout: .seconds(5),
            maxRequestBytes: maxRequestBytes
        )
        let pipeline = try ExportPipeline(
            collector: Collector(configuration: CollectorConfiguration(name: "otlp", capacity: 1024)),
            exporter: OTLPHTTPExporter(configuration: configuration, resource: OTLPResource(serviceName: "size-tests")),
            configuration: ExportConfiguration(
                maxBatchSize: 512,
                interval: .seconds(3600),
                retry: RetryPolicy(maxAttempts: 3, initialDelay: .milliseconds(5), maxDelay: .milliseconds(10))
            )
        )
        let tracer = Tracer(configuration: TracerConfiguration(serviceName: "size-tests"), pipelines: [pipeline])
        record(tracer)
        let statistics = await tracer.shutdown(deadline: .now + .seconds(30))
        try await backend.stop()
        return (statistics, backend)
    }

    static func spans(_ requests: [TestBackend.Request]) throws -> [Opentelemetry_Proto_Trace_V1_Span] {
        try requests.flatMap { try Request(serializedBytes: $0.body).resourceSpans.flatMap(\.scopeSpans).flatMap(\.spans) }
    }

    @Test func aBatchOverTheLimitIsSentInPartsThatFit() async throws {
        let (statistics, backend) = try await run(maxRequestBytes: 20_000) { tracer in
            for index in 0..<100 {
                tracer.withSpan("span \(index)") { $0.attributes["payload"] = String(repeating: "p", count: 1_000) }
            }
        }
        #expect(backend.requests.count > 1)
        #expect(backend.requests.allSatisfy { $0.body.count <= 20_000 })
        let names = try Self.spans(backend.requests).map(\.name)
        #expect(names.sorted() == (0..<100).map { "span \($0)" }.sorted())
        #expect(statistics.exported == 100)
        #expect(statistics.isBalanced)
    }

    @Test(arguments: [OTLPExporterConfiguration.Encoding.protobuf, .json])
    func aSpanThatAloneIsTooLargeIsCountedAndNeverSent(_ encoding: OTLPExporterConfiguration.Encoding) async throws {
        let (statistics, backend) = try await run(maxRequestBytes: 50_000, encoding: encoding) { tracer in
            tracer.withSpan("small 1") { _ in }
            tracer.withSpan("huge") { $0.attributes["payload"] = String(repeating: "h", count: 100_000) }
            tracer.withSpan("small 2") { _ in }
        }
        #expect(statistics.dropped[.tooLarge] == 1)
        #expect(statistics.exported == 2)
        #expect(statistics.isBalanced)
        #expect(backend.requests.allSatisfy { $0.body.count <= 50_000 })
        let received = backend.requests.map { String(decoding: $0.body, as: UTF8.self) }
        #expect(!received.contains { $0.contains("hhhhhhhhhh") })
        #expect(received.filter { $0.contains("small 1") }.count == 1 && received.filter { $0.contains("small 2") }.count == 1)
    }

    @Test func aPartThatFailsIsRetriedAloneAndThePartsThatArrivedAreNotSentAgain() async throws {
        // The first request fails with 503; the others go through.
        let (statistics, backend) = try await run(
            maxRequestBytes: 20_000,
            backendReplies: { $0 == 0 ? .status(503) : .status(200) },
            record: { tracer in
                for index in 0..<60 {
                    tracer.withSpan("span \(index)") { $0.attributes["payload"] = String(repeating: "p", count: 1_000) }
                }
            }
        )
        #expect(backend.requests.count > 2)
        let delivered = try Self.spans(Array(backend.requests.dropFirst())).map(\.name)
        #expect(delivered.sorted() == (0..<60).map { "span \($0)" }.sorted())  // each exactly once
        #expect(statistics.exported == 60)
        #expect(statistics.isBalanced)
    }

    @Test func combiningTheOutcomesOfParts() {
        let records = (0..<6).map { index in
            SpanRecord(
                context: SpanContext(traceID: .random(), spanID: .random(), traceFlags: .sampled),
                parentSpanID: nil, name: "r\(index)", kind: .internal, startNanoseconds: 1, endNanoseconds: 2
            )
        }
        // One request's outcome is passed on as it is.
        let alone = ExportError.combining([(Array(records[0..<2]), .rejected(status: 400, reason: "bad"))])
        guard let refusal = alone, refusal.code == .rejected, refusal.status == 400, refusal.reason == "bad" else {
            Issue.record("expected the part's own error, got \(String(describing: alone))")
            return
        }
        #expect(ExportError.combining([(Array(records[0..<2]), nil), (Array(records[2..<4]), nil)]) == nil)
        // Everything transient: transient, so the circuit breaker sees an outage.
        let allTransient = ExportError.combining([(Array(records[0..<2]), .transient(reason: "503")), (Array(records[2..<4]), .transient(reason: "reset"))])
        guard allTransient?.code == .transient else {
            Issue.record("expected transient, got \(String(describing: allTransient))")
            return
        }
        var tooLarge = DropCounts()
        tooLarge[.tooLarge] = 1
        let mixed = ExportError.combining(
            [
                (Array(records[0..<2]), nil), (Array(records[2..<4]), .transient(reason: "503", retryAfter: .seconds(2))),
                (Array(records[4..<5]), .rejected(status: 413, reason: "big")),
            ],
            dropped: tooLarge
        )
        guard let combined = mixed, combined.code == .perRecord, let dropped = combined.dropped, let retry = combined.retry else {
            Issue.record("expected perRecord, got \(String(describing: mixed))")
            return
        }
        #expect(dropped[.tooLarge] == 1 && dropped[.rejectedByBackend] == 1 && dropped.total == 2)
        #expect(retry.map(\.name) == ["r2", "r3"])
        #expect(combined.retryAfter == .seconds(2))
    }
}
