import Testing
import TracezGRPCTestSupport
import TracezOTLPGRPC
import TracezTestSupport

@testable import TracezBootstrap

/// `OTEL_EXPORTER_OTLP_PROTOCOL=grpc` through the one-line bootstrap: the variables alone send
/// spans over OTLP/gRPC to a gRPC collector on loopback.
@Suite(.timeLimit(.minutes(3))) struct TracezSystemGRPCTests {
    @Test func theGRPCProtocolSendsOverGRPC() async throws {
        let collector = try await GRPCTestCollector()
        let environment = [
            "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:\(collector.port)",
            "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",
            "OTEL_EXPORTER_OTLP_COMPRESSION": "gzip",
            "OTEL_EXPORTER_OTLP_HEADERS": "x-team=tracing",
            "OTEL_EXPORTER_OTLP_TIMEOUT": "60000",  // generous: Thread Sanitizer on a busy machine
        ]
        let configuration = try TracezSystemConfiguration(environment: environment, serviceName: "grpc-bootstrap")
        #expect(configuration.otlp == nil)
        let system = try TracezSystem(configuration: configuration)
        #expect(system.destinations == [.otlpGRPC(endpoint: "http://127.0.0.1:\(collector.port)")])
        #expect("\(system.destinations[0])".hasPrefix("OTLP/gRPC at "))

        for index in 0..<5 { system.tracer.withSpan("request \(index)") { _ in } }
        let statistics = await system.tracer.shutdown(deadline: .now + .seconds(30))
        #expect(statistics.exported == 5)
        #expect(collector.spans.map(\.name).sorted() == (0..<5).map { "request \($0)" })
        #expect(collector.calls.allSatisfy { Array($0.metadata[stringValues: "x-team"]) == ["tracing"] })
        #expect(collector.calls.allSatisfy { Array($0.metadata[stringValues: "grpc-encoding"]) == ["gzip"] })
        await collector.stop()
    }

    @Test func withoutTheGRPCProtocolTheSameEndpointIsOTLPHTTP() throws {
        let configuration = try TracezSystemConfiguration(environment: ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4317"])
        #expect(configuration.otlpGRPC == nil)
        #expect(configuration.otlp != nil)
    }
}
