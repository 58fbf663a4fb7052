import Benchmark
import BenchmarkWorkloads
import Tracez
import Tracing

// Tracez's hot path, measured. Every benchmark runs 1000 operations per sample
// (`scalingFactor: .kilo`), so the figures printed per operation are per span,
// per record or per id. swift-otel's side of the comparison is in SwiftOTelBenchmarks,
// with the same workloads (Workloads.swift is shared by both targets).
//
//     swift package --disable-sandbox benchmark
//
// Docs/Performance.md has the figures, how to read them, and the thresholds.

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .throughput],
        timeUnits: .nanoseconds,
        scalingFactor: .kilo,
        maxDuration: .seconds(2),
        maxIterations: 5_000
    )
    // The global swift-distributed-tracing API is bootstrapped once per benchmark executable.
    InstrumentationSystem.bootstrap(Fixtures.globalTracer)

    spanBenchmarks()
    generationBenchmarks()
    collectorBenchmarks()
    idBenchmarks()
    encodingBenchmarks()
    memoryBenchmarks()
    promptBenchmarks()
    pageBenchmarks()
}

// MARK: - Span start and end

func spanBenchmarks() {
    // Through the concrete `Tracer`: generic dispatch, the fast path.
    Benchmark(
        "Span start+end, empty (Tracer)",
        configuration: .init(thresholds: Thresholds.hotPath),
        closure: { benchmark in
            let tracer = Fixtures.concreteTracer
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations { Workloads.emptySpan(tracer) }
            benchmark.stopMeasurement()
            Fixtures.discardRecorded()
        }
    )
    Benchmark(
        "Span start+end, 4 attributes + event (Tracer)",
        configuration: .init(thresholds: Thresholds.hotPath),
        closure: { benchmark in
            let tracer = Fixtures.concreteTracer
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations { Workloads.spanWithAttributesAndEvent(tracer) }
            benchmark.stopMeasurement()
            Fixtures.discardRecorded()
        }
    )
    Benchmark(
        "Span start+end, 4 attributes + event, updateAttributes (Tracer)",
        configuration: .init(thresholds: Thresholds.hotPath),
        closure: { benchmark in
            let tracer = Fixtures.concreteTracer
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                let span = tracer.startSpan("GET /orders/{id}", ofKind: .server)
                span.updateAttributes { attributes in
                    attributes["http.request.method"] = "GET"
                    attributes["url.path"] = "/orders/42"
                    attributes["http.response.status_code"] = 200
                    attributes["app.cache.ratio"] = 0.25
                }
                span.addEvent("cache miss")
                span.end()
            }
            benchmark.stopMeasurement()
            Fixtures.discardRecorded()
        }
    )
    // Issue 16 / TZ-0001: the same span through Tracez's typed setters (no dictionary).
    Benchmark(
        "Span start+end, 4 attributes + event, typed setters (Tracer)",
        configuration: .init(thresholds: Thresholds.hotPath),
        closure: { benchmark in
            let tracer = Fixtures.concreteTracer
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations { TypedWorkloads.spanWithAttributesAndEvent(tracer) }
            benchmark.stopMeasurement()
            Fixtures.discardRecorded()
        }
    )
    Benchmark(
        "Span start+end, 4 attributes + event, concrete Span (Tracer)",
        configuration: .init(thresholds: Thresholds.hotPath),
        closure: { benchmark in
            let tracer = Fixtures.concreteTracer
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                let span: Tracez.Span = tracer.startSpan("GET /orders/{id}", ofKind: .server)
                span.attributes["http.request.method"] = "GET"
                span.attributes["url.path"] = "/orders/42"
                span.attributes["http.response.status_code"] = 200
                span.attributes["app.cache.ratio"] = 0.25
                span.addEvent("cache miss")
                span.end()
            }
            benchmark.stopMeasurement()
            Fixtures.discardRecorded()
        }
    )
    Benchmark(
        "Span start+end, three nested (Tracer)",
        configuration: .init(thresholds: Thresholds.hotPath),
        closure: { benchmark in
            let tracer = Fixtures.concreteTracer
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations { Workloads.threeNestedSpans(tracer) }
            benchmark.stopMeasurement()
            Fixtures.discardRecorded()
        }
    )

    // Through the global swift-distributed-tracing API (`InstrumentationSystem.tracer`, an existential).
    Benchmark("Span start+end, empty (global API)") { benchmark in
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { Workloads.globalEmptySpan() }
        benchmark.stopMeasurement()
        Fixtures.discardRecorded()
    }
    Benchmark("Span start+end, 4 attributes + event (global API)") { benchmark in
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { Workloads.globalSpanWithAttributesAndEvent() }
        benchmark.stopMeasurement()
        Fixtures.discardRecorded()
    }
    Benchmark("Span start+end, three nested (global API)") { benchmark in
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { Workloads.globalThreeNestedSpans() }
        benchmark.stopMeasurement()
        Fixtures.discardRecorded()
    }
}

// MARK: - Collector

func collectorBenchmarks() {
    // A collector with room for a whole sample, emptied after each sample outside the
    // measurement: these measure recording, not dropping.
    Benchmark(
        "Collector record, uncontended",
        configuration: .init(thresholds: Thresholds.hotPath),
        closure: { benchmark in
            let collector = Fixtures.roomyCollector
            let record = Fixtures.record
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations { collector.record(record) }
            benchmark.stopMeasurement()
            Fixtures.empty(collector)
        }
    )
    Benchmark("Collector record, 2 tasks contending") { benchmark in
        let collector = Fixtures.roomyCollector
        let record = Fixtures.record
        let perTask = benchmark.scaledIterations.count / 2
        benchmark.startMeasurement()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<2 {
                group.addTask {
                    for _ in 0..<perTask { collector.record(record) }
                }
            }
        }
        benchmark.stopMeasurement()
        Fixtures.empty(collector)
    }

    // Full collectors: filled in the setup and kept full, so every record meets the policy.
    for (label, policy) in [
        ("dropNewest", OverflowPolicy.dropNewest),
        ("overwriteOldest", .overwriteOldest),
        // A zero timeout measures the policy's bookkeeping, not a sleep.
        ("block(timeout: .zero)", .block(timeout: .zero)),
    ] {
        nonisolated(unsafe) var collector: Collector!
        Benchmark(
            "Collector record, full, \(label)",
            configuration: .init(
                setup: {
                    collector = try Collector(
                        configuration: CollectorConfiguration(name: "full", capacity: 1024, overflow: policy)
                    )
                    for _ in 0..<1024 { collector.record(Fixtures.record) }
                },
                teardown: { collector = nil }
            ),
            closure: { benchmark in
                let record = Fixtures.record
                for _ in benchmark.scaledIterations { collector.record(record) }
            }
        )
    }

    Benchmark("Collector drain, full") { benchmark in
        let collector = Fixtures.roomyCollector
        let record = Fixtures.record
        for _ in benchmark.scaledIterations { collector.record(record) }
        benchmark.startMeasurement()
        let batch = collector.drain(max: benchmark.scaledIterations.count)
        let records = batch.records
        batch.markExported()
        benchmark.stopMeasurement()
        blackHole(records)
    }
}

// MARK: - Ids

func idBenchmarks() {
    Benchmark(
        "TraceID.random",
        configuration: .init(thresholds: Thresholds.hotPath)
    ) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(TraceID.random()) }
    }
    Benchmark(
        "SpanID.random",
        configuration: .init(thresholds: Thresholds.hotPath)
    ) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(SpanID.random()) }
    }
}

// MARK: - Memory

func memoryBenchmarks() {
    // Bytes a buffered span costs: fill a collector with spans that have 4 attributes and an
    // event, and divide what the allocator holds afterwards by the span count. This is the
    // figure `tracez size` uses (Sources/tracez/SizeCommand.swift, `bytesPerBufferedSpan`).
    retainedMemoryBenchmark("4 attributes + event") { Workloads.spanWithAttributesAndEvent($0) }
    // The same span through the typed setters (issue 16: at most 400 bytes, against 936).
    retainedMemoryBenchmark("4 typed attributes + event") { TypedWorkloads.spanWithAttributesAndEvent($0) }
    retainedMemoryBenchmark("16 attributes + event") { tracer in
        let span = tracer.startSpan("GET /orders/{id}", ofKind: .server)
        for key in Fixtures.sixteenKeys { span.attributes[key] = "value" }
        span.addEvent("cache miss")
        span.end()
    }
    retainedMemoryBenchmark("16 typed attributes + event") { tracer in
        let span: Tracez.Span = tracer.startSpan("GET /orders/{id}", ofKind: .server)
        for key in Fixtures.sixteenKeys { span.set(key, "value") }
        span.addEvent("cache miss")
        span.end()
    }

    // Resident memory while 10 M spans go through a tracer whose pipeline is running (the
    // exporter discards): the collector is bounded, so resident memory must stay flat.
    Benchmark(
        "Memory, resident over 10M spans, pipeline running",
        configuration: .init(
            metrics: [
                .custom("resident MiB before", polarity: .prefersSmaller, useScalingFactor: false),
                .custom("resident MiB after", polarity: .prefersSmaller, useScalingFactor: false),
                .custom("spans dropped (bufferFull)", polarity: .prefersSmaller, useScalingFactor: false),
                .wallClock,
            ],
            timeUnits: .milliseconds,
            // No warm-up run: "before" must be the process before any span.
            warmupIterations: 0,
            scalingFactor: .one,
            maxDuration: .seconds(60),
            maxIterations: 1
        )
    ) { benchmark in
        let collector = try! Collector(configuration: CollectorConfiguration(name: "resident", capacity: 4096))
        let pipeline = try! ExportPipeline(collector: collector, exporter: DiscardingExporter())
        let tracer = Tracer(pipelines: [pipeline])
        let service = Task { try await tracer.run() }
        let before = Memory.residentBytes() ?? 0
        for index in 0..<10_000_000 {
            if index % 10_000 == 0 { await Task.yield() }  // the pipeline shares the cooperative pool
            Workloads.spanWithAttributesAndEvent(tracer)
        }
        let after = Memory.residentBytes() ?? 0
        benchmark.measurement(.custom("resident MiB before"), before >> 20)
        benchmark.measurement(.custom("resident MiB after"), after >> 20)
        benchmark.measurement(.custom("spans dropped (bufferFull)"), collector.droppedCount(for: .bufferFull))
        await tracer.shutdown(deadline: .now + .seconds(5))
        service.cancel()
        _ = await service.result
    }
}

/// Bytes a buffered span costs: fill a collector with spans and divide what the allocator
/// holds afterwards by the span count. `tracez size` uses these figures
/// (Sources/tracez/SizeCommand.swift, `BufferedSpanCost`).
func retainedMemoryBenchmark(_ shape: String, _ workload: @escaping @Sendable (Tracez.Tracer) -> Void) {
    Benchmark(
        "Memory, retained per buffered span, \(shape)",
        configuration: .init(
            // What glibc holds for the span, chunk overhead included, and (in this process
            // only) the malloc interposer's 16-byte header on each retained allocation.
            metrics: [.custom("retained bytes per span", polarity: .prefersSmaller, useScalingFactor: false)],
            scalingFactor: .one,
            maxDuration: .seconds(10),
            maxIterations: 5
        )
    ) { benchmark in
        let spans = 100_000
        workload(Fixtures.concreteTracer)  // first-use costs out of the figure
        Fixtures.discardRecorded()
        // Before the collector exists: its slots, allocated at creation, are part of the cost.
        let before = Memory.allocatedBytes() ?? 0
        let collector = try! Collector(configuration: CollectorConfiguration(name: "sizing", capacity: spans))
        let tracer = Tracer(collectors: [collector])
        for _ in 0..<spans { workload(tracer) }
        let after = Memory.allocatedBytes() ?? 0
        precondition(collector.statistics.buffered == spans, "the collector must hold every span")
        benchmark.measurement(.custom("retained bytes per span"), Int((Double(after - before) / Double(spans)).rounded()))
        blackHole(collector)
    }
}

// MARK: - Fixtures

/// Workloads through Tracez's own API, which the shared `Workloads` (written against
/// swift-distributed-tracing's, for both libraries) cannot express.
enum TypedWorkloads {
    /// `Workloads.spanWithAttributesAndEvent(_:)`, the same 4 attributes and event, set
    /// through the typed setters of TZ-0001 (`span.set(key, value)`): no dictionary, no key
    /// hashing. Shared by the time, memory and encoding benchmarks so they measure one span.
    @inline(__always)
    static func spanWithAttributesAndEvent(_ tracer: Tracez.Tracer) {
        let span: Tracez.Span = tracer.startSpan("GET /orders/{id}", ofKind: .server)
        span.set("http.request.method", "GET")
        span.set("url.path", "/orders/42")
        span.set("http.response.status_code", 200)
        span.set("app.cache.ratio", 0.25)
        span.addEvent("cache miss")
        span.end()
    }
}

/// Sends nowhere: the resident-memory benchmark measures the tracer, not an exporter.
struct DiscardingExporter: Exporter {
    func export(_ batch: [SpanRecord]) async throws {}
}

enum Fixtures {
    /// Room for the largest sample (1000 ops of three nested spans); emptied after each
    /// sample, outside the measurement, so the span benchmarks measure recording, not dropping.
    static let spanCollector = try! Collector(configuration: CollectorConfiguration(name: "spans", capacity: 4096))
    static let concreteTracer = Tracer(collectors: [spanCollector])
    static let globalTracer = concreteTracer

    /// Room for a whole sample of the collector benchmarks; emptied after each one.
    static let roomyCollector = try! Collector(configuration: CollectorConfiguration(name: "roomy", capacity: 4096))

    /// A finished span as the 4-attribute workload makes it.
    static let record: SpanRecord = {
        let collector = try! Collector(configuration: CollectorConfiguration(name: "one", capacity: 1))
        Workloads.spanWithAttributesAndEvent(Tracer(collectors: [collector]))
        let batch = collector.drain(max: 1)
        let record = batch.records[0]
        batch.markExported()
        return record
    }()

    /// Attribute keys for the 16-attribute memory benchmark (literals: no heap strings).
    static let sixteenKeys = [
        "k00", "k01", "k02", "k03", "k04", "k05", "k06", "k07",
        "k08", "k09", "k10", "k11", "k12", "k13", "k14", "k15",
    ]

    static func discardRecorded() { empty(spanCollector) }

    static func empty(_ collector: Collector) {
        collector.drain(max: collector.capacity).markExported()
    }

}

/// Per-operation thresholds for the hot-path benchmarks, checked by
/// `swift package --disable-sandbox benchmark thresholds check` against the p90 figures in
/// `Thresholds/` (see Docs/Performance.md).
enum Thresholds {
    static var hotPath: [BenchmarkMetric: BenchmarkThresholds] {
        [
            // Time is noisy on a shared 2-core machine: allow 50% over the recorded p90,
            // and 50% under it for throughput, which is the same figure turned over.
            .wallClock: .init(relative: [.p90: 50.0]),
            .throughput: .init(relative: [.p90: 50.0]),
            // CPU time comes in 10 ms ticks per sample of 1000 operations: allow two ticks.
            .cpuTotal: .init(absolute: [.p90: 20_000_000]),
            // Allocations per sample of 1000 operations: the harness adds a few of its own
            // that vary by 2 or 3 (seen in `thresholds check` on the ids), so allow 20, which is
            // still far less than one more allocation per operation (1000).
            .mallocCountTotal: .init(absolute: [.p90: 20]),
        ]
    }
}
