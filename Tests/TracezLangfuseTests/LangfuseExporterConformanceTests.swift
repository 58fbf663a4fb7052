import Foundation
import Testing
import Tracez
import TracezOTLP
import TracezTestKit
import TracezTestSupport

@testable import TracezLangfuse

extension LangfuseTests {
    /// The Langfuse exporter, in both modes, passes the checks every exporter must pass
    /// (``ExporterConformance``) against the Langfuse test server, which refuses what
    /// Langfuse's server refuses.
    @Suite struct ExporterConformanceTests {
        @Test(arguments: LangfuseConfiguration.API.allCases)
        func theLangfuseExporterConforms(api: LangfuseConfiguration.API) async throws {
            let server = LangfuseTestServer()
            try await server.start()
            let configuration = try LangfuseConfiguration(
                publicKey: server.publicKey, secretKey: server.secretKey, baseURL: try HTTPEndpoint(server.url), api: api, timeout: .seconds(5))
            // The secret key, and the `Authorization` header's credentials made of it.
            let credentials = Data("\(server.publicKey):\(server.secretKey)".utf8).base64EncodedString()
            let failures = await ExporterConformance().check(secrets: [server.secretKey, credentials]) {
                LangfuseExporter(configuration: configuration, resource: OTLPResource(serviceName: "conformance"))
            }
            #expect(failures.isEmpty, "\(failures)")
            try await server.stop()
        }
    }
}
