import Benchmark
import BenchmarkWorkloads
import Foundation
import Logging
import OTel
import ServiceLifecycle
import Tracing

// The peer: the same span workloads through swift-otel 1.6.0, in the same run as
// TracezBenchmarks, so every Tracez figure has swift-otel's beside it.
//
// Set up as its documentation shows: `OTel.makeTracingBackend` with the always-on
// sampler and the OTLP/HTTP protobuf exporter, and its service running for the whole
// measurement (swift-otel's own benchmark never starts it, which flatters it). The
// exporter sends to a loopback backend in this process that answers 200 (Backend.swift).
//
// No collector to empty here: swift-otel's batch span processor exports in the
// background, as it would in production. Its cost per span grows with its backlog,
// so compare medians of several runs (Docs/Performance.md).

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .throughput],
        timeUnits: .nanoseconds,
        scalingFactor: .kilo,
        maxDuration: .seconds(2),
        maxIterations: 5_000
    )
    // Made, started and bootstrapped once per benchmark executable, as an application would.
    let (tracer, service) = OTelFixture.makeTracingBackend()
    Task.detached { try await service.run() }  // runs until the process exits
    InstrumentationSystem.bootstrap(tracer)
    registerBenchmarks(tracer)
}

/// Registers the suite for swift-otel's tracer; generic so that the `(Tracer)` benchmarks
/// call it directly, specialized, as Tracez's do.
func registerBenchmarks<T: Tracer>(_ tracer: T) {
    Benchmark("swift-otel: Span start+end, empty (Tracer)") { benchmark in
        for _ in benchmark.scaledIterations { Workloads.emptySpan(tracer) }
    }
    Benchmark("swift-otel: Span start+end, 4 attributes + event (Tracer)") { benchmark in
        for _ in benchmark.scaledIterations { Workloads.spanWithAttributesAndEvent(tracer) }
    }
    Benchmark("swift-otel: Span start+end, three nested (Tracer)") { benchmark in
        for _ in benchmark.scaledIterations { Workloads.threeNestedSpans(tracer) }
    }
    Benchmark("swift-otel: Span start+end, empty (global API)") { benchmark in
        for _ in benchmark.scaledIterations { Workloads.globalEmptySpan() }
    }
    Benchmark("swift-otel: Span start+end, 4 attributes + event (global API)") { benchmark in
        for _ in benchmark.scaledIterations { Workloads.globalSpanWithAttributesAndEvent() }
    }
    Benchmark("swift-otel: Span start+end, three nested (global API)") { benchmark in
        for _ in benchmark.scaledIterations { Workloads.globalThreeNestedSpans() }
    }

    // Resident memory while spans go through swift-otel with its service running.
    // Fewer spans than Tracez's 10 M (set SWIFT_OTEL_RESIDENT_SPANS to change it): at
    // swift-otel's cost per span, 10 M take minutes and gigabytes.
    let residentSpans = Int(ProcessInfo.processInfo.environment["SWIFT_OTEL_RESIDENT_SPANS"] ?? "") ?? 2_000_000
    Benchmark(
        "swift-otel: Memory, resident over \(residentSpans / 1_000_000)M spans, service running",
        configuration: .init(
            metrics: [
                .custom("resident MiB before", polarity: .prefersSmaller, useScalingFactor: false),
                .custom("resident MiB after", polarity: .prefersSmaller, useScalingFactor: false),
                .wallClock,
            ],
            timeUnits: .milliseconds,
            // No warm-up run: "before" must be the process before any span.
            warmupIterations: 0,
            scalingFactor: .one,
            maxDuration: .seconds(600),
            maxIterations: 1
        )
    ) { benchmark in
        let before = Memory.residentBytes() ?? 0
        for index in 0..<residentSpans {
            if index % 10_000 == 0 { await Task.yield() }  // its service shares the cooperative pool
            Workloads.spanWithAttributesAndEvent(tracer)
        }
        let after = Memory.residentBytes() ?? 0
        benchmark.measurement(.custom("resident MiB before"), before >> 20)
        benchmark.measurement(.custom("resident MiB after"), after >> 20)
    }
}

/// swift-otel's tracer and its service, made once per process.
enum OTelFixture {
    static let backend = LoopbackBackend.start()

    static func makeTracingBackend() -> (factory: some Tracer, service: some Service) {
        var configuration = OTel.Configuration.default
        configuration.serviceName = "tracez-benchmarks"
        configuration.diagnosticLogger = .custom(Logger(label: "swift-otel", factory: { _ in SwiftLogNoOpLogHandler() }))
        configuration.traces.sampler = .alwaysOn
        configuration.traces.exporter = .otlp
        configuration.traces.otlpExporter.protocol = .httpProtobuf
        configuration.traces.otlpExporter.endpoint = "http://127.0.0.1:\(backend.port)"
        configuration.metrics.enabled = false
        configuration.logs.enabled = false
        return try! OTel.makeTracingBackend(configuration: configuration)
    }
}
