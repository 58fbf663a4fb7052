import BenchmarkWorkloads
import Foundation
import Logging
import NIOCore
import OTel
import ServiceLifecycle
import Tracez
import TracezOTLP
import Tracing

// Sustained export throughput: how many spans a second a tracer delivers to a backend that
// answers after a fixed delay, with nothing dropped, and what CPU that costs. Run by
// `export_throughput.py` (beside Package.swift), which starts the backend once per delay and
// this program once per trial, so that each trial's CPU time and peak resident memory are its
// own. Two modes:
//
//     ExportThroughput backend DELAY_MS
//         An OTLP/HTTP backend on 127.0.0.1 answering after DELAY_MS; prints its port, then
//         answers each line "count" on standard input with the spans received so far.
//     ExportThroughput trial tracez|swift-otel PORT RATE SECONDS CONCURRENCY
//         Records RATE spans a second (0: as fast as it can) for SECONDS through the tracer,
//         exporting to PORT, then shuts it down (flushing) and prints one JSON line.

let arguments = CommandLine.arguments.dropFirst()
switch arguments.first {
case "backend":
    let delay = Int64(arguments.dropFirst().first ?? "0") ?? 0
    let backend = try DelayedBackend(delay: .milliseconds(delay))
    // Unbuffered: the driver reads each answer as soon as it is written.
    func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }
    say("port \(backend.port)")
    while let line = readLine() {
        say(line == "count" ? "\(backend.spans)" : "unknown command")
    }
    backend.stop()
case "trial":
    let values = Array(arguments.dropFirst())
    guard values.count == 5, let port = Int(values[1]), let rate = Int(values[2]), let seconds = Double(values[3]),
        let concurrency = Int(values[4])
    else {
        FileHandle.standardError.write(Data("usage: ExportThroughput trial tracez|swift-otel PORT RATE SECONDS CONCURRENCY\n".utf8))
        exit(2)
    }
    let trial = Trial(port: port, rate: rate, seconds: seconds, concurrency: concurrency)
    let result = values[0] == "tracez" ? try await trial.runTracez() : try await trial.runSwiftOTel()
    print(result.json)
default:
    FileHandle.standardError.write(Data("usage: ExportThroughput backend DELAY_MS | trial ...\n".utf8))
    exit(2)
}

/// One trial's measurements.
struct TrialResult {
    var recorded = 0
    /// What the tracer says it delivered (Tracez's `exported`); swift-otel does not say.
    var exported: Int?
    /// What the tracer says it dropped, by reason (Tracez); swift-otel logs a count, read here.
    var dropped = 0
    var producingSeconds = 0.0
    /// From the first span recorded to the end of the shutdown that flushed the last.
    var totalSeconds = 0.0
    var cpuSeconds = 0.0
    var peakResidentMiB = 0

    var json: String {
        let exported = exported.map(String.init) ?? "null"
        return """
            {"recorded": \(recorded), "exported": \(exported), "dropped": \(dropped), "producing_seconds": \(producingSeconds), "total_seconds": \(totalSeconds), \
            "cpu_seconds": \(cpuSeconds), "peak_resident_mib": \(peakResidentMiB)}
            """
    }
}

struct Trial {
    let port: Int
    let rate: Int
    let seconds: Double
    let concurrency: Int

    /// Tracez as `TracezSystem` builds it for OTLP: a 2 048-span collector (OTel's queue
    /// size), batches of 512, exports every second or when a batch is full, `concurrency` at once.
    func runTracez() async throws -> TrialResult {
        let configuration = TracerConfiguration(serviceName: "export-throughput")
        let exporter = OTLPHTTPExporter(
            configuration: OTLPExporterConfiguration(endpoint: try HTTPEndpoint("http://127.0.0.1:\(port)/v1/traces")),
            resource: OTLPResource(configuration: configuration)
        )
        let pipeline = try ExportPipeline(
            collector: Collector(configuration: CollectorConfiguration(name: "otlp", capacity: 2048)),
            exporter: exporter,
            configuration: ExportConfiguration(maxBatchSize: 512, interval: .seconds(1), maxConcurrentExports: concurrency)
        )
        let tracer = Tracez.Tracer(configuration: configuration, pipelines: [pipeline])
        let running = Task { try await tracer.run() }
        let cpuBefore = CPUTime.now()
        let started = ContinuousClock.now
        var result = TrialResult()
        (result.recorded, result.producingSeconds) = await produce { Workloads.spanWithAttributesAndEvent(tracer) }
        let statistics = await tracer.shutdown(deadline: .now + .seconds(60))
        running.cancel()
        result.cpuSeconds = CPUTime.now() - cpuBefore
        result.totalSeconds = (ContinuousClock.now - started).seconds
        result.exported = statistics.exported
        result.dropped = statistics.dropped.total
        result.peakResidentMiB = CPUTime.peakResidentMiB()
        return result
    }

    /// swift-otel 1.6.0 as its documentation sets it up, with the batch span processor's
    /// defaults (a 2 048-span queue, batches of 512) and its schedule delay at Tracez's 1 s.
    /// It exports one batch at a time; it has no setting for more.
    func runSwiftOTel() async throws -> TrialResult {
        let dropped = DroppedSpanLog()
        var configuration = OTel.Configuration.default
        configuration.serviceName = "export-throughput"
        configuration.diagnosticLogger = .custom(Logger(label: "swift-otel", factory: { _ in dropped }))
        configuration.traces.sampler = .alwaysOn
        configuration.traces.exporter = .otlp
        configuration.traces.otlpExporter.protocol = .httpProtobuf
        configuration.traces.otlpExporter.endpoint = "http://127.0.0.1:\(port)"
        configuration.traces.batchSpanProcessor.scheduleDelay = .seconds(1)
        configuration.metrics.enabled = false
        configuration.logs.enabled = false
        let (tracer, service) = try OTel.makeTracingBackend(configuration: configuration)
        let group = ServiceGroup(services: [service], logger: Logger(label: "group", factory: { _ in SwiftLogNoOpLogHandler() }))
        let running = Task { try await group.run() }
        let cpuBefore = CPUTime.now()
        let started = ContinuousClock.now
        var result = TrialResult()
        (result.recorded, result.producingSeconds) = await produce { Workloads.spanWithAttributesAndEvent(tracer) }
        await group.triggerGracefulShutdown()  // flushes what it holds
        _ = await running.result
        result.cpuSeconds = CPUTime.now() - cpuBefore
        result.totalSeconds = (ContinuousClock.now - started).seconds
        result.dropped = dropped.count
        result.peakResidentMiB = CPUTime.peakResidentMiB()
        return result
    }

    /// Records spans at `rate` a second (as fast as possible for 0) for `seconds`, in steps of
    /// a millisecond; yields between steps so that the tracer's own tasks run on the pool.
    private func produce(_ record: () -> Void) async -> (recorded: Int, seconds: Double) {
        let clock = ContinuousClock()
        let start = clock.now
        let end = start + .milliseconds(Int64(seconds * 1000))
        var recorded = 0
        while clock.now < end {
            let due = rate == 0 ? recorded + 1_000 : Int(Double(rate) * (clock.now - start).seconds)
            while recorded < due {
                record()
                recorded += 1
            }
            if rate == 0 { await Task.yield() } else { try? await Task.sleep(for: .milliseconds(1)) }
        }
        return (recorded, (clock.now - start).seconds)
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

/// swift-otel says how many spans it dropped only in a log line ("Spans were dropped this
/// iteration because queue was full", with `dropped_count`): this handler adds them up.
final class DroppedSpanLog: LogHandler, @unchecked Sendable {
    // @unchecked: `total` is only touched under `lock`; the stored log settings are set once,
    // before the handler is shared, as swift-log's own handlers do.
    private let lock = NSLock()
    private var total = 0
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .warning

    var count: Int { lock.withLock { total } }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        guard case .string(let text)? = event.metadata?["dropped_count"], let dropped = Int(text) else { return }
        lock.withLock { total += dropped }
    }
}

/// The process's CPU time and peak resident memory, from `getrusage`.
enum CPUTime {
    static func now() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    static func peakResidentMiB() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Int(usage.ru_maxrss) / 1024  // kilobytes on Linux
    }
}
