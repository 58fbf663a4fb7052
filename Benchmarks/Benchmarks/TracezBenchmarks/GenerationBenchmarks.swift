import Benchmark
import Tracez
import TracezLangfuse

// A Langfuse generation recorded through TracezLangfuse's typed API (issue 16): model, usage,
// cost, input and output, which `Observation`'s setters write through the typed store
// (`span.set`). Issue 16's target: no more than 2x `Span start+end, 4 attributes + event,
// typed setters (Tracer)` in the same run. The values are those of the encoding benchmark's
// generations (`EncodingFixtures.generations`), without the prompt.
//
// Two ways in, 1000 generations a sample, the collector emptied after each sample outside the
// measurement as in the span benchmarks:
//
// - `withGeneration`, as the documentation shows it: a new span in the task-local context
//   (`withSpan`), its observation type and trace fields, then the setters.
// - `Observation` around a span the benchmark starts and ends: the setters alone, without
//   the task-local context.

func generationBenchmarks() {
    Benchmark(
        "Langfuse generation: model, usage, cost, input, output (typed, Tracer)",
        configuration: .init(thresholds: Thresholds.hotPath),
        closure: { benchmark in
            let tracer = Fixtures.concreteTracer
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                await tracer.withGeneration("chat", model: GenerationFixture.model) { generation in
                    generation.setInput(GenerationFixture.messages)
                    generation.setOutput(GenerationFixture.reply)
                    generation.setUsage(input: 412, output: 38, total: 450)
                    generation.setCost(input: 0.0000618, output: 0.0000228)
                }
            }
            benchmark.stopMeasurement()
            Fixtures.discardRecorded()
        }
    )
    Benchmark(
        "Langfuse generation: model, usage, cost, input, output, Observation around a span (typed, Tracer)",
        configuration: .init(thresholds: Thresholds.hotPath),
        closure: { benchmark in
            let tracer = Fixtures.concreteTracer
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                let span: Tracez.Span = tracer.startSpan("chat", ofKind: .internal)
                let generation = Observation(span)
                generation.setType(.generation)
                generation.setModel(GenerationFixture.model)
                generation.setInput(GenerationFixture.messages)
                generation.setOutput(GenerationFixture.reply)
                generation.setUsage(input: 412, output: 38, total: 450)
                generation.setCost(input: 0.0000618, output: 0.0000228)
                span.end()
            }
            benchmark.stopMeasurement()
            Fixtures.discardRecorded()
        }
    )
}

/// What each generation records: a chat turn, as `EncodingFixtures.generations` makes them.
enum GenerationFixture {
    static let model = "gpt-4o"
    static let messages = [["role": "user", "content": "What should I pack for Lisbon?"]]
    static let reply = "Light clothes and a jacket for the evening."
}
