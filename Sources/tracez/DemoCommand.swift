import ArgumentParser
import Tracez

/// `tracez demo`: runs an instrumented sample workload and exports its spans.
///
/// With nothing configured it prints each trace to standard output as a tree.
/// Its last line is always `recorded=<n> exported=<n> dropped=<n>`, the sum over its collectors.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run an instrumented LLM request handler and export its traces.",
        discussion: """
            Each trace is one chat request: retrieval with an embedding call, a model call with \
            token usage and cost, tool calls in parallel (one fails in every third trace), and a \
            final model call. The last line printed is exactly `recorded=N exported=N dropped=N`.
            """
    )

    @Option(help: "Number of traces (requests) to run.")
    var traces: Int = 5

    @Option(help: "Output for the stdout exporter: tree or jsonl.")
    var format: OutputFormat = .tree

    @Option(help: "Capacity of the demo's collector.")
    var capacity: Int = 4096

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
        case tree
        case jsonl
    }

    func validate() throws {
        guard (1...100_000).contains(traces) else {
            throw ValidationError("--traces must be between 1 and 100000, got \(traces)")
        }
        guard capacity >= 1 else {
            throw ValidationError("--capacity must be at least 1, got \(capacity)")
        }
    }

    func run() async throws {
        let collector = try Collector(configuration: CollectorConfiguration(name: "demo", capacity: capacity))
        let exporter = StdoutExporter(format: format == .tree ? .tree : .jsonLines)
        let pipeline = try ExportPipeline(collector: collector, exporter: exporter)
        let tracer = Tracer(
            configuration: TracerConfiguration(serviceName: "tracez-demo"),
            pipelines: [pipeline]
        )

        let statistics = try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await tracer.run() }
            let workload = DemoWorkload(tracer: tracer)
            for index in 0..<traces {
                await workload.handleRequest(index: index)
            }
            let statistics = await tracer.shutdown(deadline: .now + .seconds(5))
            try await group.waitForAll()
            return statistics
        }
        StdoutExporter.writeToStandardOutput("\(statistics)\n")
    }
}
