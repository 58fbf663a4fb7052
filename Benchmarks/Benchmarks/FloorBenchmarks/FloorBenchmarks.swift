import Benchmark
import BenchmarkWorkloads
import Tracing

// The floor (issue 16): what swift-distributed-tracing's API costs with no tracer behind it, so
// that every figure of TracezBenchmarks and SwiftOTelBenchmarks reads against what the API
// itself costs. The same workloads (Workloads.swift), with:
//
// - no tracer at all: the 4 attributes set on a `SpanAttributes` and the event made, which is
//   what `span.attributes[key] = value` and `span.addEvent(_:)` ask of any tracer;
// - `NoOpTracer`, called directly (generic, specialized) as the `(Tracer)` benchmarks call theirs;
// - `NoOpTracer` through the global API, as the `(global API)` benchmarks call theirs.
//
// A process of its own, because `InstrumentationSystem.bootstrap` can be called once per process
// and the other two executables bootstrap Tracez and swift-otel: this one never bootstraps, so
// `InstrumentationSystem.tracer` is the API's `NoOpTracer`.
//
//     swift package --disable-sandbox benchmark --target FloorBenchmarks
//
// No thresholds: these measure swift-distributed-tracing, not Tracez. Docs/Performance.md
// has the figures beside Tracez's and swift-otel's from the same run.

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .throughput],
        timeUnits: .nanoseconds,
        scalingFactor: .kilo,
        maxDuration: .seconds(2),
        maxIterations: 5_000
    )
    precondition(InstrumentationSystem.tracer is NoOpTracer, "the floor process must never bootstrap a tracer")

    Benchmark("Floor: SpanAttributes, 4 sets + SpanEvent (no tracer)") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(Workloads.attributesAndEvent()) }
    }

    // `NoOpSpan.attributes` reads as an empty `SpanAttributes` and drops what is written back,
    // so `span.attributes[key] = value` still builds a dictionary for every set: the figure is
    // the API's own cost with a tracer that records nothing.
    let tracer = NoOpTracer()
    Benchmark("Floor: NoOpTracer, empty span (Tracer)") { benchmark in
        for _ in benchmark.scaledIterations { Workloads.emptySpan(tracer) }
    }
    Benchmark("Floor: NoOpTracer, 4 attributes + event (Tracer)") { benchmark in
        for _ in benchmark.scaledIterations { Workloads.spanWithAttributesAndEvent(tracer) }
    }

    // Through `InstrumentationSystem.tracer`, which looks for a bootstrapped tracer (a lock and
    // a task-local read) on every span and falls back to a `NoOpTracer`.
    Benchmark("Floor: NoOpTracer, empty span (global API)") { benchmark in
        for _ in benchmark.scaledIterations { Workloads.globalEmptySpan() }
    }
    Benchmark("Floor: NoOpTracer, 4 attributes + event (global API)") { benchmark in
        for _ in benchmark.scaledIterations { Workloads.globalSpanWithAttributesAndEvent() }
    }
}
