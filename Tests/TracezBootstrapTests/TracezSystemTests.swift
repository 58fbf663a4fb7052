import Foundation
import Logging
import ServiceLifecycle
import ServiceLifecycleTestKit
import Testing
import TracezLangfuse
import TracezOTLP
import TracezTestSupport

@testable import TracezBootstrap

@Suite(.timeLimit(.minutes(3))) struct TracezSystemTests {
    static let keys = ["LANGFUSE_PUBLIC_KEY": "pk-lf-1234", "LANGFUSE_SECRET_KEY": "sk-lf-very-secret-5678"]

    @Test func withNothingConfiguredSpansGoToStandardOutput() throws {
        let configuration = try TracezSystemConfiguration(environment: [:], serviceName: "checkout")
        let system = try TracezSystem(configuration: configuration)
        #expect(system.destinations == [.stdout])
        #expect(system.tracer.configuration.serviceName == "checkout")
        #expect(system.tracer.pipelines.first?.collector.capacity == TracingProfile.default.capacity)
    }

    @Test func anEndpointTurnsOnOTLPKeysTurnOnLangfuseAndBothMeansBoth() throws {
        let endpoint = ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"]
        let otlp = try TracezSystem(configuration: TracezSystemConfiguration(environment: endpoint))
        #expect(otlp.destinations == [.otlp(endpoint: "http://127.0.0.1:4318/v1/traces")])
        let langfuse = try TracezSystem(configuration: TracezSystemConfiguration(environment: Self.keys))
        #expect(langfuse.destinations == [.langfuse(baseURL: "https://cloud.langfuse.com")])
        let both = try TracezSystem(configuration: TracezSystemConfiguration(environment: endpoint.merging(Self.keys) { a, _ in a }))
        #expect(both.destinations.count == 2)
        // With Langfuse, every span inside `withTrace` carries the trace's fields.
        #expect(both.tracer.configuration.startHooks.contains { $0 is TraceAttributesHook })
        #expect(otlp.tracer.configuration.startHooks.isEmpty)
    }

    @Test func aHalfConfigurationIsAClearErrorThatNeverRepeatsTheSecret() throws {
        let secretOnly = ["LANGFUSE_SECRET_KEY": "sk-lf-very-secret-5678"]
        let missing = #expect(throws: LangfuseConfigurationError.self) { try TracezSystemConfiguration(environment: secretOnly) }
        #expect(missing?.code == .missingKeys)
        #expect(missing.map { !"\($0)".contains("very-secret") } == true)

        let badEndpoint = #expect(throws: TracezError.self) {
            try TracezSystemConfiguration(environment: ["OTEL_EXPORTER_OTLP_ENDPOINT": "not a url"])
        }
        #expect(badEndpoint.map { "\($0)".contains("OTEL_EXPORTER_OTLP_ENDPOINT") } == true)
    }

    @Test func aProfileSizesThePipelinesAndTheEnvironmentWinsFieldByField() throws {
        let environment = ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318", "OTEL_BSP_MAX_EXPORT_BATCH_SIZE": "100"]
        let system = try TracezSystem(configuration: TracezSystemConfiguration(environment: environment, profile: .highThroughput))
        let pipeline = try #require(system.tracer.pipelines.first)
        #expect(pipeline.collector.capacity == TracingProfile.highThroughput.capacity)
        #expect(pipeline.configuration.maxBatchSize == 100)
        #expect(pipeline.configuration.interval == TracingProfile.highThroughput.interval)
        #expect(pipeline.configuration.retry == TracingProfile.highThroughput.retry)
        #expect(pipeline.configuration.retry.maxElapsed == .seconds(15))  // the profile's, not the default 60 s

        let queue = ["OTEL_BSP_MAX_QUEUE_SIZE": "10", "LANGFUSE_FLUSH_INTERVAL": "7"].merging(Self.keys) { a, _ in a }
        let langfuse = try TracezSystem(configuration: TracezSystemConfiguration(environment: queue, profile: .lowVolume))
        let langfusePipeline = try #require(langfuse.tracer.pipelines.first)
        #expect(langfusePipeline.collector.capacity == 10)
        #expect(langfusePipeline.configuration.interval == .seconds(7))
        #expect(langfusePipeline.configuration.maxBatchSize == TracingProfile.lowVolume.maxBatchSize)
    }

    @Test func startedThenShutDownSendsEverySpanToARealBackend() async throws {
        let backend = TestBackend()
        try await backend.start()
        let environment = ["OTEL_EXPORTER_OTLP_ENDPOINT": backend.url]
        let system = try TracezSystem(configuration: TracezSystemConfiguration(environment: environment, serviceName: "tool")).started()
        for index in 0..<20 { system.tracer.withSpan("step \(index)") { _ in } }
        // A deadline far beyond the default 5 s: at the start of a full test run, with every
        // suite starting on two cores, a first connection can take seconds.
        let statistics = await system.shutdown(deadline: .now + .seconds(60))
        try await backend.stop()
        #expect(statistics.exported == 20 && statistics.isBalanced, "\(statistics)")
        #expect(!backend.requests.isEmpty && backend.requests.allSatisfy { $0.uri == "/v1/traces" })
        #expect(system.isShutDown)
        #expect(UnfinishedShutdownReport.lines().allSatisfy { !$0.contains(backend.url) })
    }

    @Test func gracefulShutdownOfTheServiceGroupFlushesIt() async throws {
        let backend = TestBackend()
        try await backend.start()
        let environment = ["OTEL_EXPORTER_OTLP_ENDPOINT": backend.url, "OTEL_BSP_SCHEDULE_DELAY": "3600000"]
        let system = try TracezSystem(configuration: TracezSystemConfiguration(environment: environment, serviceName: "service"))
        try await testGracefulShutdown { trigger in
            let group = ServiceGroup(services: [system], logger: Logger(label: "test"))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                for index in 0..<12 { system.tracer.withSpan("request \(index)") { _ in } }
                trigger.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
        }
        try await backend.stop()
        #expect(system.tracer.statistics.exported == 12)
        #expect(system.isShutDown)
    }

    /// In a child process of its own (`InstrumentationSystem` is bootstrapped once per
    /// process): the real `bootstrap`, spans through swift-distributed-tracing's global API,
    /// and an exit without `shutdown()`, which must say on standard error what it lost.
    @Test func aProgramThatExitsWithoutShutdownIsToldHowManySpansItLost() throws {
        let (status, output) = try runTestsInChildProcess(filter: "bootstrappedProgramThatForgetsShutdown", environment: ["TRACEZ_FORGET_SHUTDOWN": "1"])
        #expect(status == 0, "\(output.suffix(2_000))")
        #expect(reported("bootstrapped", in: output) == ["yes"])
        let line = output.split(separator: "\n").first { $0.hasPrefix("tracez: the program ended without `await shutdown()`") }
        #expect(line?.contains(": 4 spans recorded for OTLP at http://127.0.0.1:9/v1/traces were never sent") == true, "\(output.suffix(2_000))")
    }

    @Test func bootstrappedProgramThatForgetsShutdown() throws {
        guard ProcessInfo.processInfo.environment["TRACEZ_FORGET_SHUTDOWN"] == "1" else { return }  // the child's part
        let environment = ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:9", "OTEL_BSP_SCHEDULE_DELAY": "3600000"]
        let tracing = try TracezSystem.bootstrap(serviceName: "forgetful", environment: environment)
        for index in 0..<4 { withSpan("step \(index)") { _ in } }  // the global API, into `tracing`
        report("bootstrapped", tracing.tracer.statistics.recorded == 4 ? "yes" : "no: \(tracing.tracer.statistics)")
    }

    @Test func aForgottenShutdownIsReportedWithTheCountOfSpansItLost() async throws {
        // Nothing listens on port 9, and nothing runs the pipeline: the spans stay pending.
        let environment = ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:9", "OTEL_BSP_SCHEDULE_DELAY": "3600000"]
        let system = try TracezSystem(configuration: TracezSystemConfiguration(environment: environment))
        for index in 0..<3 { system.tracer.withSpan("lost \(index)") { _ in } }
        let line = UnfinishedShutdownReport.lines().first { $0.contains("127.0.0.1:9") }
        #expect(line?.contains("3 spans") == true, "\(line ?? "no line")")
        await system.shutdown(deadline: .now)
        #expect(!UnfinishedShutdownReport.lines().contains { $0.contains("127.0.0.1:9") })
    }
}
