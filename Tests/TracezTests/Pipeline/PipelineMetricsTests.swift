import Metrics
import MetricsTestKit
import Testing
import TracezTestSupport

@testable import Tracez

@Suite(.timeLimit(.minutes(3))) struct PipelineMetricsTests {
    /// `MetricsSystem.bootstrap` may run once per process: this is the only test that
    /// calls it, so every metric check lives here. Pipelines bind their handlers when
    /// created, so they are created after bootstrapping, under collector names no
    /// other test uses (other tests may create pipelines meanwhile).
    @Test func pipelineReportsItsCountersAndGaugesThroughSwiftMetrics() async throws {
        let metrics = TestMetrics()
        MetricsSystem.bootstrap(metrics)

        try await withTimeLimit(.seconds(60), #function) {
            let suffix = UInt64.random(in: 0...UInt64.max)
            let failingName = "metrics-failing-\(suffix)"
            let healthyName = "metrics-healthy-\(suffix)"
            let breakerName = "metrics-breaker-\(suffix)"
            let retry = RetryPolicy(maxAttempts: 2, initialDelay: .milliseconds(1), multiplier: 2, maxDelay: .milliseconds(5))
            // The backoff runs on a manual clock that lets it pass at once: no test sleeps.
            let clock = ManualClock()

            // Always failing: one batch of 5, two attempts, then dropped as exportFailed.
            let failing = try ExportPipeline(
                collector: try Collector(configuration: CollectorConfiguration(name: failingName, capacity: 100)),
                exporter: FailingExporter(),
                configuration: ExportConfiguration(
                    interval: .seconds(3600),
                    retry: retry,
                    circuitBreaker: CircuitBreaker.Configuration(isEnabled: false)
                ),
                clock: clock
            )
            // Healthy: 7 exported.
            let healthyExporter = InMemoryExporter()
            let healthy = try ExportPipeline(
                collector: try Collector(configuration: CollectorConfiguration(name: healthyName, capacity: 100)),
                exporter: healthyExporter,
                configuration: ExportConfiguration(interval: .seconds(3600))
            )
            // Failing with a circuit that opens at once: the 6 records wait in the collector,
            // so the fill ratio gauge has something to show.
            let breaker = try ExportPipeline(
                collector: try Collector(configuration: CollectorConfiguration(name: breakerName, capacity: 20)),
                exporter: FailingExporter(),
                configuration: ExportConfiguration(
                    interval: .seconds(3600),
                    retry: retry,
                    circuitBreaker: CircuitBreaker.Configuration(failureThreshold: 1, openDuration: .seconds(3600))
                ),
                clock: clock
            )

            for record in makeRecords(5) { failing.collector.record(record) }
            for record in makeRecords(7) { healthy.collector.record(record) }
            for record in makeRecords(6) { breaker.collector.record(record) }
            try await clock.lettingShortWaitsPass { await failing.forceFlush() }
            await healthy.forceFlush()
            try await clock.lettingShortWaitsPass { await breaker.forceFlush() }

            func counter(_ label: String, _ collector: String, reason: DropReason? = nil) -> Int64 {
                var dimensions = [("collector", collector)]
                if let reason { dimensions.append(("reason", reason.rawValue)) }
                return metrics.counterTotal(label: label, dimensions: dimensions)
            }
            func gauge(_ label: String, _ collector: String) throws -> Double? {
                try metrics.expectGauge(label, [("collector", collector)]).lastValue
            }

            #expect(counter("tracez_spans_recorded_total", failingName) == 5)
            #expect(counter("tracez_spans_exported_total", failingName) == 0)
            #expect(counter("tracez_spans_dropped_total", failingName, reason: .exportFailed) == 5)
            #expect(counter("tracez_spans_dropped_total", failingName) == 5)
            #expect(counter("tracez_export_retries_total", failingName) == 1)
            #expect(counter("tracez_batches_failed_total", failingName) == 1)
            #expect(counter("tracez_batches_sent_total", failingName) == 0)
            #expect(try gauge("tracez_collector_fill_ratio", failingName) == 0)

            #expect(healthyExporter.records.count == 7)
            #expect(counter("tracez_spans_recorded_total", healthyName) == 7)
            #expect(counter("tracez_spans_exported_total", healthyName) == 7)
            #expect(counter("tracez_spans_dropped_total", healthyName) == 0)
            #expect(counter("tracez_export_retries_total", healthyName) == 0)
            #expect(counter("tracez_batches_failed_total", healthyName) == 0)
            #expect(counter("tracez_batches_sent_total", healthyName) == 1)
            #expect(try gauge("tracez_collector_fill_ratio", healthyName) == 0)

            #expect(breaker.circuitBreaker.currentState == .open)
            #expect(counter("tracez_spans_recorded_total", breakerName) == 6)
            #expect(counter("tracez_spans_dropped_total", breakerName) == 0)
            #expect(try gauge("tracez_collector_buffered", breakerName) == 6)
            #expect(try gauge("tracez_collector_fill_ratio", breakerName) == 6.0 / 20.0)
            #expect(try gauge("tracez_circuit_state", breakerName) == Double(CircuitBreaker.State.open.rawValue))

            // Counters are fed by difference: a second round adds only what is new.
            for record in makeRecords(3) { healthy.collector.record(record) }
            await healthy.forceFlush()
            #expect(counter("tracez_spans_recorded_total", healthyName) == 10)
            #expect(counter("tracez_spans_exported_total", healthyName) == 10)

            // Shutdown sends the waiting records once more, with the policy's retry; both attempts
            // fail, they are counted exportFailed, and the metrics follow.
            let statistics = try await clock.lettingShortWaitsPass { await breaker.shutdown(deadline: clock.now + .seconds(5)) }
            #expect(statistics.dropped[.exportFailed] == 6)
            #expect(statistics.dropped.total == 6)
            #expect(statistics.isBalanced)
            #expect(counter("tracez_spans_dropped_total", breakerName, reason: .exportFailed) == 6)
            #expect(counter("tracez_export_retries_total", breakerName) == 1)
            #expect(try gauge("tracez_collector_fill_ratio", breakerName) == 0)

            for pipeline in [failing, healthy] {
                let statistics = await pipeline.shutdown(deadline: .now + .seconds(5))
                #expect(statistics.isBalanced)
            }

            // The tracer counts the baggage entries `extract` left out (remote input): two
            // malformed here, and one past the 180-entry limit.
            let service = "metrics-baggage-\(suffix)"
            let tracer = Tracer(configuration: TracerConfiguration(serviceName: service))
            var context = ServiceContext.topLevel
            let header = "=no-key,ok=1,k=%zz," + (0..<180).map { "e\($0)=v" }.joined(separator: ",")
            tracer.extract(["baggage": header], into: &context, using: DictionaryExtractor())
            #expect(context.baggage?.entries.count == 180)
            #expect(metrics.counterTotal(label: "tracez_baggage_entries_dropped_total", dimensions: [("service", service)]) == 3)
        }
    }
}

private struct DictionaryExtractor: Extractor {
    func extract(key: String, from carrier: [String: String]) -> String? { carrier[key] }
}
