import Foundation
import Logging
import ServiceLifecycle
import Tracez
import TracezLangfuse
import TracezOTLP
import TracezOTLPGRPC
import Tracing

/// Tracing for a whole program in one call: a tracer with its collectors and pipelines,
/// bootstrapped as the process's `InstrumentationSystem`, so that every library instrumented
/// with swift-distributed-tracing records into it.
///
/// In a service, add it to the `ServiceGroup`, which runs it and, at graceful shutdown,
/// flushes it:
///
/// ```swift
/// let tracing = try TracezSystem.bootstrap(serviceName: "chat")
/// let group = ServiceGroup(services: [tracing, server], gracefulShutdownSignals: [.sigterm], logger: logger)
/// try await group.run()
/// ```
///
/// In a program without a `ServiceGroup` (a command-line tool, a script, a test), start it
/// and shut it down:
///
/// ```swift
/// let tracing = try TracezSystem.bootstrap(serviceName: "import-tool").started()
/// // … work …
/// await tracing.shutdown()
/// ```
///
/// Where spans go follows the environment (``TracezSystemConfiguration/init(environment:serviceName:profile:)``):
/// OTLP when an endpoint is set, Langfuse when its keys are, both when both are, standard
/// output when neither is (said once, in the log, at start-up). A program that exits with
/// spans still pending and without calling ``shutdown(deadline:)`` is told so on standard
/// error, with the count it lost.
///
/// Thread-safety: every member may be used from any task.
public final class TracezSystem: Service, Sendable {
    /// Where a ``TracezSystem`` sends spans.
    public enum Destination: Sendable, Hashable, CustomStringConvertible {
        case otlp(endpoint: String)
        /// OTLP over gRPC (``TracezSystemConfiguration/otlpGRPC``).
        case otlpGRPC(endpoint: String)
        case langfuse(baseURL: String)
        case stdout

        public var description: String {
            switch self {
            case .otlp(let endpoint): "OTLP at \(endpoint)"
            case .otlpGRPC(let endpoint): "OTLP/gRPC at \(endpoint)"
            case .langfuse(let baseURL): "Langfuse at \(baseURL)"
            case .stdout: "standard output"
            }
        }
    }

    /// The tracer: use it directly for the fast path (`tracing.tracer.withSpan`), or through
    /// swift-distributed-tracing's global API once bootstrapped.
    public let tracer: Tracez.Tracer
    /// Where spans go, in pipeline order.
    public let destinations: [Destination]
    private let logger: Logger
    private let state = SanitizedMutex(RunState())

    private struct RunState {
        var background: Task<Void, Never>?
        var isShutDown = false
    }

    /// Builds the tracer, its collectors and pipelines from `configuration`, without touching
    /// any global state: nothing runs until ``run()`` or ``started()``.
    public init(configuration: TracezSystemConfiguration, logger: Logger = Logger(label: "tracez")) throws {
        let export = configuration.exportOverrides.export(for: configuration.profile)
        let resource = OTLPResource(configuration: configuration.tracer)
        var pipelines: [ExportPipeline] = []
        var destinations: [Destination] = []
        /// One destination: its own collector, named after it, and a pipeline to `exporter`.
        func add(_ name: String, _ exporter: some Exporter, _ destination: Destination, export: ExportConfiguration = export) throws {
            pipelines.append(
                try ExportPipeline(
                    collector: Collector(configuration: configuration.profile.collector(named: name)),
                    exporter: exporter,
                    configuration: export
                ))
            destinations.append(destination)
        }
        if let otlp = configuration.otlp {
            try add("otlp", OTLPHTTPExporter(configuration: otlp, resource: resource), .otlp(endpoint: "\(otlp.endpoint)"))
        }
        if let otlpGRPC = configuration.otlpGRPC {
            try add("otlp-grpc", OTLPGRPCExporter(configuration: otlpGRPC, resource: resource), .otlpGRPC(endpoint: "\(otlpGRPC.endpoint)"))
        }
        if let langfuse = configuration.langfuse {
            try add(
                "langfuse", LangfuseExporter(configuration: langfuse.configuration, resource: resource),
                .langfuse(baseURL: "\(langfuse.configuration.baseURL)"))
        }
        if pipelines.isEmpty {
            // One batch at a time: traces print in the order they ended.
            var stdoutExport = export
            stdoutExport.maxConcurrentExports = 1
            let summarizers: [any SpanSummarizer] = [LangfuseSpanSummarizer(), SemanticConventionsSummarizer()]
            try add("stdout", StdoutExporter(format: configuration.stdout, summarizers: summarizers), .stdout, export: stdoutExport)
        }
        tracer = Tracez.Tracer(configuration: configuration.tracer, pipelines: pipelines)
        self.destinations = destinations
        self.logger = logger
        UnfinishedShutdownReport.watch(self)
    }

    /// Reads ``TracezSystemConfiguration`` from the environment, builds the system, and
    /// bootstraps `InstrumentationSystem` with its tracer (once per process, as
    /// swift-distributed-tracing requires).
    ///
    /// - Parameters:
    ///   - serviceName: The service's name, unless `OTEL_SERVICE_NAME` says otherwise.
    ///   - profile: Collector and export settings; the environment's variables win over it.
    ///   - environment: The variables to read; the process's by default.
    ///   - logger: Where the system says where spans go, and its pipelines report failures.
    /// - Throws: What ``TracezSystemConfiguration/init(environment:serviceName:profile:)``
    ///   throws: a half configuration, a value that does not parse.
    public static func bootstrap(
        serviceName: String,
        profile: TracingProfile = .default,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        logger: Logger = Logger(label: "tracez")
    ) throws -> TracezSystem {
        try bootstrap(TracezSystemConfiguration(environment: environment, serviceName: serviceName, profile: profile), logger: logger)
    }

    /// Builds the system from `configuration` and bootstraps `InstrumentationSystem` with its tracer.
    public static func bootstrap(_ configuration: TracezSystemConfiguration, logger: Logger = Logger(label: "tracez")) throws -> TracezSystem {
        let system = try TracezSystem(configuration: configuration, logger: logger)
        InstrumentationSystem.bootstrap(system.tracer)
        return system
    }

    /// Runs the pipelines until graceful shutdown of the `ServiceGroup`, which flushes them.
    public func run() async throws {
        announce()
        defer { markShutDown() }
        try await tracer.run()
    }

    /// Starts the pipelines in a task of their own, for a program without a `ServiceGroup`;
    /// end it with ``shutdown(deadline:)``. Returns `self`, so it chains with `bootstrap`.
    @discardableResult
    public func started() -> TracezSystem {
        state.withLock { state in
            guard state.background == nil, !state.isShutDown else { return }
            announce()
            let tracer = tracer
            state.background = Task { try? await tracer.run() }
        }
        return self
    }

    /// Sends what is pending until `deadline` (5 s from now by default), counts the rest as
    /// dropped, and stops the pipelines. Returns the final counters.
    @discardableResult
    public func shutdown(deadline: ContinuousClock.Instant = .now + .seconds(5)) async -> CollectorStatistics {
        let statistics = await tracer.shutdown(deadline: deadline)
        let background = state.withLock { $0.background }
        markShutDown()
        await background?.value
        return statistics
    }

    /// Whether ``shutdown(deadline:)`` ran, or ``run()`` returned.
    var isShutDown: Bool { state.withLock { $0.isShutDown } }

    private func markShutDown() {
        state.withLock { $0.isShutDown = true }
        UnfinishedShutdownReport.stopWatching(self)
    }

    private func announce() {
        if destinations == [.stdout] {
            logger.notice("no OTLP endpoint and no Langfuse keys are set: spans go to standard output")
        } else {
            logger.info("exporting spans", metadata: ["to": "\(destinations.map(\.description).joined(separator: ", "))"])
        }
    }
}
