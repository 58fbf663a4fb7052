import Foundation
import OTLPProto
import Testing
import Tracez
import TracezTestSupport
import Tracing

@testable import TracezOTLP

/// The exporter never traces its own requests, even when its tracer is the global one: a
/// traced export would record a span, which the next export sends, which records another.
///
/// `InstrumentationSystem.bootstrap` may run once per process, and another suite already calls
/// it, so the check runs in a child process of its own.
@Suite(.timeLimit(.minutes(3))) struct SelfTracingTests {
    typealias Request = Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceRequest
    static let childVariable = "TRACEZ_SELF_TRACING_CHILD"
    static let rounds = 20
    static let spansPerRound = 3

    @Test func theExporterNeverTracesItsOwnRequests() async throws {
        if ProcessInfo.processInfo.environment[Self.childVariable] != nil {
            try await exportAfterBootstrappingGlobally()
            return
        }
        let (status, output) = try runTestsInChildProcess(filter: "theExporterNeverTracesItsOwnRequests", environment: [Self.childVariable: "1"])
        let received = reported("tracez-received-names", in: output)
        try #require(received.count == 1, "the child did not export:\n\(output.suffix(3000))")
        #expect(status == 0, "the child failed:\n\(output.suffix(3000))")
        let names = received[0].split(separator: ",").map(String.init)
        #expect(names.count == Self.rounds * Self.spansPerRound, "the backend received spans the test did not record: \(Set(names))")
        #expect(Set(names) == ["work"])
    }

    /// In the child: bootstrap a Tracez tracer globally, make the exporter after it (as a
    /// one-line bootstrap does), export round after round, and report what the backend got.
    func exportAfterBootstrappingGlobally() async throws {
        let backend = TestBackend()
        try await backend.start()
        let collector = try Collector(configuration: CollectorConfiguration(name: "global", capacity: 1024))
        InstrumentationSystem.bootstrap(Tracez.Tracer(configuration: TracerConfiguration(serviceName: "self-tracing"), collectors: [collector]))
        let exporter = OTLPHTTPExporter(
            configuration: OTLPExporterConfiguration(endpoint: try HTTPEndpoint(backend.url).appending(path: "v1/traces")),
            resource: OTLPResource(serviceName: "self-tracing")
        )
        let pipeline = try ExportPipeline(collector: collector, exporter: exporter, configuration: ExportConfiguration(interval: .seconds(3600)))
        for _ in 0..<Self.rounds {
            for _ in 0..<Self.spansPerRound {
                withSpan("work") { _ in }  // the global API, into the bootstrapped tracer
            }
            await pipeline.forceFlush()
        }
        await pipeline.shutdown(deadline: .now + .seconds(10))
        try await backend.stop()
        try #require(backend.requests.count == Self.rounds, "one export per round: \(backend.requests.count)")
        let names = try backend.requests.flatMap { request in
            try Request(serializedBytes: request.body).resourceSpans.flatMap(\.scopeSpans).flatMap(\.spans).map(\.name)
        }
        report("tracez-received-names", names.joined(separator: ","))
    }
}
