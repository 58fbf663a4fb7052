import Foundation
import Logging
import ServiceLifecycle
import Tracez
import TracezLangfuse
import TracezPage

extension DemoCommand {
    /// `tracez demo --serve <port>`: the workload, a trace every half second (or `traces` of
    /// them, then idle), with the live page up, until SIGINT or SIGTERM. Returns the
    /// pipeline's statistics after the tracer's graceful shutdown flushed it (the page's own
    /// collector is not in them, so the summary counts each span once, as without the page).
    static func serve(
        on port: Int,
        traces: Int?,
        pipeline: ExportPipeline,
        tracerConfiguration: TracerConfiguration,
        recordsScores: Bool,
        prompt: ChatPrompt
    ) async throws -> CollectorStatistics {
        let page = try TracezPage(
            configuration: TracezPageConfiguration(title: "tracez demo (\(tracerConfiguration.serviceName))", summarizers: summarizers),
            pipelines: [pipeline]
        )
        let tracer = Tracer(configuration: tracerConfiguration, pipelines: [pipeline], collectors: [page.flightRecorder])
        let workload = DemoWorkload(tracer: tracer, scoresEveryOtherTrace: recordsScores, prompt: prompt)
        let server = TracezPageServer(page: page, port: port, logger: Logger(label: "tracez.page", factory: { _ in SwiftLogNoOpLogHandler() })) { port in
            FileHandle.standardError.write(Data("tracez demo: the live page is at http://127.0.0.1:\(port)/tracez (Ctrl-C stops)\n".utf8))
        }
        // Shut down in reverse order: the workload stops, then the page, and the tracer flushes last.
        let group = ServiceGroup(
            services: [tracer, page, server, DemoLoop(workload: workload, traces: traces)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: Logger(label: "tracez.demo", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        try await group.run()
        return pipeline.collector.statistics
    }
}

/// The demo's requests as a service: `traces` of them, or one every half second until shutdown.
struct DemoLoop: Service {
    let workload: DemoWorkload
    let traces: Int?

    func run() async throws {
        var index = 0
        while !Task.isShuttingDownGracefully, !Task.isCancelled, traces.map({ index < $0 }) ?? true {
            await workload.handleRequest(index: index)
            index += 1
            if traces == nil { try? await Task.sleep(for: .milliseconds(500)) }
        }
        // Returning would end the group: wait, with the page up, until asked to stop.
        try? await gracefulShutdown()
    }
}
