import TracezTestSupport

@testable import Tracez

/// The pipeline the pipeline suites drive by hand: on `clock`, exporting only when a test
/// flushes or shuts it down (its interval is an hour), with `reports` attached to its
/// callbacks. Returns its collector (room for 1024 records) and the pipeline, not running.
func makeManualPipeline(
    named name: String,
    _ exporter: some Exporter,
    reports: PipelineReports,
    maxBatchSize: Int,
    maxConcurrentExports: Int,
    retry: RetryPolicy,
    circuitBreaker: CircuitBreaker.Configuration,
    clock: ManualClock
) throws -> (Collector, ExportPipeline) {
    let collector = try Collector(configuration: CollectorConfiguration(name: name, capacity: 1024))
    let configuration = reports.attach(
        to: ExportConfiguration(
            maxBatchSize: maxBatchSize,
            interval: .seconds(3600),  // only flushes and shutdown export here
            shutdownTimeout: .seconds(30),
            maxConcurrentExports: maxConcurrentExports,
            retry: retry,
            circuitBreaker: circuitBreaker
        )
    )
    let pipeline = try ExportPipeline(collector: collector, exporter: exporter, configuration: configuration, clock: clock)
    return (collector, pipeline)
}
