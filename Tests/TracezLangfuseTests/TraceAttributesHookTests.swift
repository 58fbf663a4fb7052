import Testing
import Tracez
import TracezTestSupport

@testable import TracezLangfuse

extension LangfuseTests {
    /// Spans that other libraries start (a framework's request span, a client's span) carry
    /// the trace's fields too (issue 14).
    @Suite struct TraceAttributesHookTests {
        typealias Name = LangfuseAttributeName

        @Test func everySpanStartedInsideWithTraceCarriesItsFields() async throws {
            let exporter = try makeLangfuseExporter()
            let settings = try LangfuseSettings(environment: ["LANGFUSE_PUBLIC_KEY": "pk-lf-1", "LANGFUSE_SECRET_KEY": "sk-lf-1"])
            let configuration = settings.applied(to: TracerConfiguration(serviceName: "hooks"))
            #expect(configuration.startHooks.count == 1)
            #expect(settings.applied(to: configuration).startHooks.count == 1)  // installed once
            let collector = try Collector(configuration: CollectorConfiguration(name: "hooks", capacity: 16))
            let pipeline = try ExportPipeline(collector: collector, exporter: exporter, configuration: ExportConfiguration(interval: .seconds(3600)))
            let tracer = Tracer(configuration: configuration, pipelines: [pipeline])

            let long = String(repeating: "s", count: 201)
            await tracer.withTrace(TraceAttributes(userID: "u-1", sessionID: long, tags: ["beta"], metadata: ["plan": "pro"])) {
                // What an HTTP client instrumented with swift-distributed-tracing starts: a plain span.
                tracer.withSpan("GET /weather", ofKind: .client) { _ in }
            }
            tracer.withSpan("outside") { _ in }
            let records = collector.takeAll()
            let client = try #require(records.first { $0.name == "GET /weather" })
            #expect(client.string(Name.userID) == "u-1")
            #expect(client.attributes.get(Name.traceTags) == .stringArray(["beta"]))
            #expect(client.string(Name.traceMetadataPrefix + "plan") == "pro")
            #expect(client.string(Name.sessionID) == nil)  // over 200 characters: left out, counted
            #expect(exporter.valueStatistics.droppedTraceFields == 1)
            let outside = try #require(records.first { $0.name == "outside" })
            #expect(outside.string(Name.userID) == nil)
        }
    }
}
