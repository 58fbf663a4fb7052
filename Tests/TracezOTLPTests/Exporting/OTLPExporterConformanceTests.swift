import Testing
import Tracez
import TracezOTLP
import TracezTestKit
import TracezTestSupport

/// The OTLP exporter passes the checks every exporter must pass (``ExporterConformance``),
/// sending to a real HTTP server on loopback, in each encoding.
@Suite(.timeLimit(.minutes(3))) struct OTLPExporterConformanceTests {
    static let token = "Bearer conformance-token-0123"

    @Test(arguments: [(OTLPExporterConfiguration.Encoding.protobuf, OTLPExporterConfiguration.Compression.gzip), (.json, .none)])
    func theOTLPExporterConforms(encoding: OTLPExporterConfiguration.Encoding, compression: OTLPExporterConfiguration.Compression) async throws {
        let backend = TestBackend()
        try await backend.start()
        let endpoint = try HTTPEndpoint(backend.url).appending(path: "v1/traces")
        let failures = await ExporterConformance().check(secrets: [Self.token]) {
            let configuration = OTLPExporterConfiguration(
                endpoint: endpoint, headers: [(name: "Authorization", value: Self.token)], encoding: encoding, compression: compression, timeout: .seconds(5))
            return OTLPHTTPExporter(configuration: configuration, resource: OTLPResource(serviceName: "conformance"))
        }
        #expect(failures.isEmpty, "\(failures)")
        // What the checks sent reached the server: the ordinary batches at least.
        #expect(backend.requests.count >= 3)
        try await backend.stop()
    }
}
