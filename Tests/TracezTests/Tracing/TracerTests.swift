import Testing
import TracezTestSupport

@testable import Tracez

@Suite(.timeLimit(.minutes(3))) struct TracerTests {
    @Test func nestedSpansShareTheTraceAndPointAtTheirParents() throws {
        let (tracer, collector) = try makeTracer()
        tracer.withSpan("root") { root in
            tracer.withSpan("child") { child in
                tracer.withSpan("grandchild") { grandchild in
                    #expect(grandchild.parentSpanID == child.spanContext.spanID)
                }
                #expect(child.parentSpanID == root.spanContext.spanID)
            }
        }
        let records = collector.takeAll()
        #expect(records.map(\.name) == ["grandchild", "child", "root"])
        #expect(Set(records.map(\.traceID)).count == 1)
        #expect(records.last?.parentSpanID == nil)
    }

    @Test func siblingTopLevelSpansStartDifferentTraces() throws {
        let (tracer, collector) = try makeTracer()
        tracer.withSpan("first") { _ in }
        tracer.withSpan("second") { _ in }
        let records = collector.takeAll()
        #expect(records.count == 2)
        #expect(records[0].traceID != records[1].traceID)
    }

    @Test func finishedSpansAreRoutedThroughEachCollectorsFilter() throws {
        let llm = try Collector(configuration: CollectorConfiguration(name: "llm", filter: .namePrefix("llm.")))
        let errors = try Collector(configuration: CollectorConfiguration(name: "errors", filter: .errors))
        let everything = try Collector(configuration: CollectorConfiguration(name: "all"))
        let tracer = Tracer(collectors: [llm, errors, everything])
        tracer.withSpan("llm.chat") { _ in }
        tracer.withSpan("http") { $0.setStatus(SpanStatus(code: .error)) }
        tracer.withSpan("db") { _ in }
        #expect(llm.takeAll().map(\.name) == ["llm.chat"])
        #expect(errors.takeAll().map(\.name) == ["http"])
        #expect(everything.takeAll().map(\.name) == ["llm.chat", "http", "db"])
        #expect(tracer.statistics.recorded == 5)
    }

    @Test func pipelineCollectorsAndExtraCollectorsAreBothKeptOnce() throws {
        let shared = try Collector()
        let pipeline = try ExportPipeline(collector: shared, exporter: InMemoryExporter())
        let tracer = Tracer(pipelines: [pipeline], collectors: [shared, try Collector(configuration: .init(name: "extra"))])
        #expect(tracer.collectors.map(\.name) == ["default", "extra"])
    }

    /// A library instrumented with swift-distributed-tracing is generic over the protocol.
    private func instrumentedLibraryCall(_ tracer: some Tracing.Tracer) {
        tracer.withSpan("library call", ofKind: .client) { span in
            span.attributes["library"] = "generic"
        }
    }

    @Test func genericCallersRecordThroughTheProtocol() throws {
        let (tracer, collector) = try makeTracer()
        instrumentedLibraryCall(tracer)
        let record = try #require(collector.takeAll().first)
        #expect(record.kind == .client)
        #expect(record.attributes.get("library") == .string("generic"))
    }

    /// `InstrumentationSystem.bootstrap` may run once per process: this is the only test that calls it.
    @Test func bootstrappedTracerRecordsTheGlobalAPI() async throws {
        let (tracer, collector) = try makeTracer()
        InstrumentationSystem.bootstrap(tracer)
        await withSpan("global root") { _ in
            await withSpan("global child") { span in
                await Task.yield()  // the async form, as an instrumented library's await would pick it
                span.attributes["via"] = "InstrumentationSystem"
            }
        }
        let records = collector.takeAll()
        #expect(records.map(\.name) == ["global child", "global root"])
        #expect(records.first?.parentSpanID == records.last?.spanID)
        #expect(records.first?.attributes.get("via") == .string("InstrumentationSystem"))
    }
}
