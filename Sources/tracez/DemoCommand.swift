import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import Tracez
import TracezLangfuse
import TracezOTLP
import TracezOTLPGRPC
import TracezPage

/// `tracez demo`: runs an instrumented sample workload and exports its spans.
///
/// With nothing configured it prints each trace to standard output as a tree. With
/// `LANGFUSE_PUBLIC_KEY` and `LANGFUSE_SECRET_KEY` set it exports to Langfuse; otherwise,
/// with `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) set, to
/// that OpenTelemetry collector, configured by the OTel SDK variables (over gRPC when
/// `OTEL_EXPORTER_OTLP_PROTOCOL=grpc`).
/// Its last line is always `recorded=<n> exported=<n> dropped=<n>`, the sum over its collectors,
/// after a `dropped by reason: …` line when anything was dropped. When exports failed, one
/// line on standard error says why; when nothing was exported, it exits with status 1.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run an instrumented LLM request handler and export its traces.",
        discussion: """
            Each trace is one chat request: retrieval with an embedding call, a model call with \
            token usage and cost, tool calls in parallel (one fails in every third trace), and a \
            final model call. The last line printed is exactly `recorded=N exported=N dropped=N`, \
            preceded by `dropped by reason: <reason>=N ...` when anything was dropped. If exports \
            failed, one line on standard error gives the last failure (connection refused, the \
            backend's HTTP status and message, a TLS error); if nothing was exported, the exit \
            status is 1.

            Where the spans go: to Langfuse when LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY are \
            set (LANGFUSE_BASE_URL, default https://cloud.langfuse.com; --langfuse-api picks its \
            OTel endpoint or the legacy ingestion API; every other trace also records a score). \
            Otherwise to standard output, unless OTEL_EXPORTER_OTLP_ENDPOINT or \
            OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set, in which case they are sent over OTLP/HTTP, \
            or over OTLP/gRPC when OTEL_EXPORTER_OTLP_PROTOCOL=grpc \
            (OTEL_EXPORTER_OTLP_HEADERS, _COMPRESSION, _TIMEOUT, _PROTOCOL, OTEL_SERVICE_NAME, \
            OTEL_RESOURCE_ATTRIBUTES, OTEL_TRACES_SAMPLER, OTEL_BSP_* and OTEL_SDK_DISABLED apply).
            """
    )

    // `.unconditional`: `--traces -1` is the number -1 (and gets the range error), not a missing value.
    @Option(parsing: .unconditional, help: "Number of traces (requests) to run, 1 to 100000 (default 5; with --serve, no end).")
    var traces: Int?

    @Option(parsing: .unconditional, help: "Serve the live /tracez page on this port of 127.0.0.1 and run until interrupted.")
    var serve: Int?

    @Option(help: "Output for the stdout exporter: tree or jsonl.")
    var format: OutputFormat = .tree

    @Option(parsing: .unconditional, help: "Capacity of the demo's collector (default 4096, or OTEL_BSP_MAX_QUEUE_SIZE).")
    var capacity: Int?

    @Flag(help: "In the tree, every attribute of each span, one per line under it.")
    var verbose = false

    @Option(help: "Langfuse API when exporting to Langfuse: otel (default) or ingestion (self-hosted v2/v3).")
    var langfuseAPI: LangfuseConfiguration.API = .otel

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
        case tree
        case jsonl
    }

    func validate() throws {
        if let traces, !(1...100_000).contains(traces) {
            throw ValidationError("--traces must be between 1 and 100000, got \(traces)")
        }
        if let serve, !(0...65_535).contains(serve) {
            throw ValidationError("--serve must be a port from 0 to 65535, got \(serve)")
        }
        if let capacity, capacity < 1 {
            throw ValidationError("--capacity must be at least 1, got \(capacity)")
        }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        var tracerConfiguration = try TracerConfiguration(environment: environment)
        if environment["OTEL_SERVICE_NAME"] == nil, tracerConfiguration.resourceAttributes.get("service.name") == nil {
            tracerConfiguration.serviceName = "tracez-demo"
        }
        let pipeline: ExportPipeline
        let failures = ExportFailureRecorder()
        var recordsScores = false
        // Kept to print what its value shaping replaced by a marker; the pipeline owns it.
        var langfuseExporter: LangfuseExporter?
        var prompt = DemoWorkload.builtInPrompt
        if LangfuseSettings.isConfigured(in: environment) {
            let settings = try LangfuseSettings(environment: environment, api: langfuseAPI)
            tracerConfiguration = settings.applied(to: tracerConfiguration)
            var export = settings.export
            if settings.isDebug {  // LANGFUSE_DEBUG: one line per batch on standard error
                export.onBatchResult = { result in
                    let line =
                        "tracez demo: batch of \(result.records): exported \(result.exported), dropped \(result.dropped.total), attempts \(result.attempts)\n"
                    FileHandle.standardError.write(Data(line.utf8))
                }
            }
            let exporter = LangfuseExporter(configuration: settings.configuration, resource: OTLPResource(configuration: tracerConfiguration))
            langfuseExporter = exporter
            pipeline = try ExportPipeline(
                collector: Collector(configuration: CollectorConfiguration(name: "langfuse", capacity: capacity ?? 4096)),
                exporter: exporter,
                configuration: failures.observing(export)
            )
            recordsScores = true
            FileHandle.standardError.write(Data("tracez demo: exporting to Langfuse at \(settings.configuration.baseURL) (\(langfuseAPI.rawValue))\n".utf8))
            prompt = await Self.fetchPrompt(exporter: exporter)
        } else {
            pipeline = try makePipeline(environment: environment, tracerConfiguration: tracerConfiguration, failures: failures)
        }
        let statistics: CollectorStatistics
        if let serve {
            statistics = try await Self.serve(
                on: serve,
                traces: traces,
                pipeline: pipeline,
                tracerConfiguration: tracerConfiguration,
                recordsScores: recordsScores,
                prompt: prompt
            )
        } else {
            let tracer = Tracer(configuration: tracerConfiguration, pipelines: [pipeline])
            let workload = DemoWorkload(tracer: tracer, scoresEveryOtherTrace: recordsScores, prompt: prompt)
            statistics = try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await tracer.run() }
                for index in 0..<(traces ?? 5) {
                    await workload.handleRequest(index: index)
                }
                let statistics = await tracer.shutdown(deadline: .now + .seconds(5))
                try await group.waitForAll()
                return statistics
            }
        }
        if let cause = Self.failureLine(statistics: statistics, lastFailure: failures.lastReason) {
            FileHandle.standardError.write(Data((cause + "\n").utf8))
        }
        let truncated = langfuseExporter?.valueStatistics.truncated ?? 0
        for line in Self.detailLines(statistics, truncatedLangfuseValues: truncated) {
            StdoutExporter.writeToStandardOutput(line + "\n")
        }
        StdoutExporter.writeToStandardOutput("\(statistics)\n")
        if statistics.exported == 0, statistics.recorded > 0 { throw ExitCode(1) }
    }

    /// The lines printed just before the summary: what the counters do not show on their own.
    /// The chat prompt `travel-assistant` (label `production`) from Langfuse, or the built-in
    /// one when Langfuse has none or cannot be reached; which one is said on standard error.
    /// Not traced: the fetch makes no span, so every trace keeps its 9 spans.
    static func fetchPrompt(exporter: LangfuseExporter) async -> ChatPrompt {
        var logger = Logger(label: "tracez.demo.prompts")
        logger.logLevel = .critical  // the line below says what happened; standard output is for spans
        let prompts = LangfusePrompts(exporter: exporter, logger: logger)
        // No cache needed: the demo asks once. A 404 or any failure gives the built-in prompt.
        let prompt =
            (try? await prompts.chatPrompt(named: DemoWorkload.promptName, cacheTTL: .zero, fallback: DemoWorkload.builtInMessages))
            ?? DemoWorkload.builtInPrompt
        let line =
            prompt.isFallback
            ? "tracez demo: no prompt '\(DemoWorkload.promptName)' from Langfuse; using the built-in prompt (generations are not linked)\n"
            : "tracez demo: using prompt '\(prompt.name)' version \(prompt.version) from Langfuse\n"
        FileHandle.standardError.write(Data(line.utf8))
        return prompt
    }

    /// The drops by reason, what span limits cut from recorded spans, and values the Langfuse
    /// typed API replaced by a marker (the Langfuse exporter's ``LangfuseExporter/valueStatistics``,
    /// so 0 when the demo exports elsewhere); each only when there is any.
    static func detailLines(_ statistics: CollectorStatistics, truncatedLangfuseValues: Int = 0) -> [String] {
        var lines: [String] = []
        if statistics.dropped.total > 0 { lines.append("dropped by reason: \(statistics.dropped)") }
        if !statistics.spanLimits.isZero { lines.append("cut by span limits: \(statistics.spanLimits)") }
        if truncatedLangfuseValues > 0 { lines.append("Langfuse values replaced by a marker: \(truncatedLangfuseValues)") }
        return lines
    }

    /// The one line for standard error that says why records were not exported: the last
    /// failure an export reported, or, if none did and nothing was exported, the drop reasons.
    /// `nil` when nothing was lost on the way to the backend (a full collector's drops are
    /// only in the counts).
    static func failureLine(statistics: CollectorStatistics, lastFailure: String?) -> String? {
        let lost = statistics.dropped.total - statistics.dropped[.bufferFull] - statistics.dropped[.overwritten]
        guard lost > 0 else { return nil }
        let records = lost == 1 ? "1 record" : "\(lost) records"
        if let lastFailure { return "tracez demo: \(records) not exported; last export failure: \(lastFailure)" }
        if statistics.exported == 0 { return "tracez demo: \(records) not exported (\(statistics.dropped))" }
        return nil
    }

    /// The collector and exporter the environment asks for: OTLP when an endpoint is set, stdout otherwise.
    private func makePipeline(environment: [String: String], tracerConfiguration: TracerConfiguration, failures: ExportFailureRecorder) throws -> ExportPipeline
    {
        let sendsToOTLP = ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"].contains {
            !(environment[$0] ?? "").trimmingCharacters(in: .whitespaces).isEmpty
        }
        guard sendsToOTLP else {
            let collector = try Collector(configuration: CollectorConfiguration(name: "demo", capacity: capacity ?? 4096))
            let exporter = StdoutExporter(format: format == .tree ? .tree : .jsonLines, summarizers: Self.summarizers, isVerbose: verbose)
            // One batch at a time: traces print in the order they ended.
            return try ExportPipeline(collector: collector, exporter: exporter, configuration: ExportConfiguration(maxConcurrentExports: 1))
        }
        var collectorConfiguration = try CollectorConfiguration(name: "otlp", environment: environment)
        if let capacity {
            collectorConfiguration.capacity = capacity
        } else if (environment["OTEL_BSP_MAX_QUEUE_SIZE"] ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
            // Unset or empty, as everywhere: the demo's own default.
            collectorConfiguration.capacity = 4096
        }
        let exporter: any Exporter
        if OTLPGRPCExporterConfiguration.isRequested(by: environment) {
            let grpc = try OTLPGRPCExporterConfiguration(environment: environment)
            exporter = try OTLPGRPCExporter(configuration: grpc, resource: OTLPResource(configuration: tracerConfiguration))
            FileHandle.standardError.write(Data("tracez demo: exporting to \(grpc.endpoint) (grpc, compression \(grpc.compression.rawValue))\n".utf8))
        } else {
            let otlp = try OTLPExporterConfiguration(environment: environment)
            exporter = OTLPHTTPExporter(configuration: otlp, resource: OTLPResource(configuration: tracerConfiguration))
            FileHandle.standardError.write(
                Data("tracez demo: exporting to \(otlp.endpoint) (\(otlp.encoding.rawValue), compression \(otlp.compression.rawValue))\n".utf8))
        }
        return try ExportPipeline(
            collector: Collector(configuration: collectorConfiguration),
            exporter: exporter,
            configuration: failures.observing(ExportConfiguration(environment: environment))
        )
    }
}

extension DemoCommand {
    /// What the tree says of each span: Langfuse's observations first, then OpenTelemetry's conventions.
    static let summarizers: [any SpanSummarizer] = [LangfuseSpanSummarizer(), SemanticConventionsSummarizer()]
}

extension LangfuseConfiguration.API: ExpressibleByArgument {}
