import Testing
import Tracez
import TracezGRPCTestSupport
import TracezOTLPGRPC
import TracezTestKit

/// The OTLP/gRPC exporter passes the checks every exporter must pass (``ExporterConformance``),
/// sending to a gRPC collector on loopback, plain and gzip-compressed.
@Suite(.timeLimit(.minutes(3))) struct OTLPGRPCExporterConformanceTests {
    static let token = "Bearer grpc-conformance-token-0123"

    @Test(arguments: [OTLPGRPCExporterConfiguration.Compression.none, .gzip])
    func theOTLPGRPCExporterConforms(compression: OTLPGRPCExporterConfiguration.Compression) async throws {
        let collector = try await GRPCTestCollector()
        let endpoint = try HTTPEndpoint("http://127.0.0.1:\(collector.port)")
        let failures = await ExporterConformance().check(secrets: [Self.token]) {
            let configuration = OTLPGRPCExporterConfiguration(
                endpoint: endpoint, headers: [(name: "authorization", value: Self.token)], compression: compression, timeout: .seconds(30))
            return try OTLPGRPCExporter(configuration: configuration, resource: OTLPResource(serviceName: "conformance"))
        }
        #expect(failures.isEmpty, "\(failures)")
        // What the checks sent reached the collector: the ordinary batches at least.
        #expect(collector.calls.count >= 3)
        await collector.stop()
    }
}
