import Benchmark
import BenchmarkWorkloads
import Tracez
import TracezPage

// What the /tracez page costs per span on the recording thread (issue 15): the hot-path span
// workloads through a tracer whose only extra collector is a page's flight recorder, to read
// beside `Span start+end, empty (Tracer)` and `Span start+end, 4 attributes + event (Tracer)`,
// the same tracer without it. Both tracers record into `Fixtures.spanCollector`, emptied after
// each sample outside the measurement.
//
// The page must read its flight recorder, or it would only sit full. Two ways:
//
// - `page running`: the page's `run()` in a task for the whole benchmark, as in a
//   `ServiceGroup`. It reads every 100 ms and whenever the recorder is half full, on the
//   other core, taking the recorder's lock while the benchmark records: what a user pays.
//   No thresholds: the time depends on when the reader runs (like `2 tasks contending`).
// - `page read between samples`: `page.snapshot()` after each sample, outside the
//   measurement, as the other span benchmarks empty their collector: the recording
//   thread's own cost, without a reader beside it. A sample (1000 spans) fits in the flight
//   recorder (2048), so these measure recording, not overwriting.
//
// Compare them with the heap not trimmed (GLIBC_TUNABLES=glibc.malloc.trim_threshold=…): by
// default the tracer without the page pays page faults that the page's tracer does not, as
// the page keeps its recent spans (Docs/Performance.md, "The /tracez page's cost per span").

func pageBenchmarks() {
    // The loops are written out, not passed in as a closure, so that each is the baseline's
    // loop with another tracer: no indirect call per span that the baseline does not make.
    let empty = PageFixture()
    Benchmark(
        "Span start+end, empty, page running (Tracer)",
        configuration: .init(setup: empty.startRunning, teardown: empty.tearDown),
        closure: { benchmark in
            let tracer = empty.tracer!
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations { Workloads.emptySpan(tracer) }
            benchmark.stopMeasurement()
            Fixtures.discardRecorded()
        }
    )
    Benchmark(
        "Span start+end, empty, page read between samples (Tracer)",
        configuration: .init(thresholds: Thresholds.hotPath, setup: empty.make, teardown: empty.tearDown),
        closure: { benchmark in
            let tracer = empty.tracer!
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations { Workloads.emptySpan(tracer) }
            benchmark.stopMeasurement()
            empty.read()
            Fixtures.discardRecorded()
        }
    )

    let attributes = PageFixture()
    Benchmark(
        "Span start+end, 4 attributes + event, page running (Tracer)",
        configuration: .init(setup: attributes.startRunning, teardown: attributes.tearDown),
        closure: { benchmark in
            let tracer = attributes.tracer!
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations { Workloads.spanWithAttributesAndEvent(tracer) }
            benchmark.stopMeasurement()
            Fixtures.discardRecorded()
        }
    )
    Benchmark(
        "Span start+end, 4 attributes + event, page read between samples (Tracer)",
        configuration: .init(thresholds: Thresholds.hotPath, setup: attributes.make, teardown: attributes.tearDown),
        closure: { benchmark in
            let tracer = attributes.tracer!
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations { Workloads.spanWithAttributesAndEvent(tracer) }
            benchmark.stopMeasurement()
            attributes.read()
            Fixtures.discardRecorded()
        }
    )
}

/// A page and the tracer that records into its flight recorder (and into
/// `Fixtures.spanCollector`, like `Fixtures.concreteTracer`), made in a benchmark's setup and
/// dropped in its teardown. The harness runs one benchmark at a time.
private final class PageFixture: @unchecked Sendable {
    private(set) var page: TracezPage?
    private(set) var tracer: Tracez.Tracer?
    private var reader: Task<Void, Never>?

    func make() {
        let page = try! TracezPage()
        self.page = page
        tracer = Tracer(collectors: [Fixtures.spanCollector, page.flightRecorder])
    }

    /// ``make()``, and the page's `run()` in a task until the teardown.
    func startRunning() {
        make()
        let page = page!
        reader = Task { try? await page.run() }
    }

    /// What `/tracez.json` would show: reads (and empties) the flight recorder.
    func read() {
        blackHole(page!.snapshot())
    }

    func tearDown() async {
        reader?.cancel()
        await reader?.value
        reader = nil
        tracer = nil
        page = nil
    }
}
