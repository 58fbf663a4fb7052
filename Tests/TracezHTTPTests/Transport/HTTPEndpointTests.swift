import Testing

@testable import TracezHTTP

@Suite(.timeLimit(.minutes(3))) struct HTTPEndpointTests {
    @Test(arguments: ["http://localhost:4318", "http://127.0.0.1:3000/api", "http://127.1.2.3", "http://[::1]:4318", "https://cloud.langfuse.com"])
    func secureOrLoopbackEndpointsAreAccepted(_ url: String) throws {
        let endpoint = try HTTPEndpoint(url)
        #expect(endpoint.url.absoluteString == url)
    }

    @Test(arguments: ["http://collector.internal:4318", "http://10.0.0.5", "http://128.0.0.1"])
    func plainHTTPToANetworkHostIsRefusedUnlessAllowed(_ url: String) throws {
        #expect(throws: TransportError.self) { try HTTPEndpoint(url) }
        let allowed = try HTTPEndpoint(url, allowsInsecureHTTP: true)
        #expect(!allowed.isSecure)
    }

    @Test(arguments: ["", "not a url", "ftp://example.com", "https://", "localhost:4318", "://x"])
    func malformedURLsAreRejected(_ url: String) {
        #expect {
            try HTTPEndpoint(url)
        } throws: { error in
            (error as? TransportError)?.code == .invalidURL
        }
    }

    @Test func credentialsInTheURLNeverAppearInErrorsOrDescriptions() throws {
        #expect {
            try HTTPEndpoint("https://pk-lf-1234:sk-lf-secret@%%bad")
        } throws: { error in
            !"\(error)".contains("sk-lf-secret")
        }
        let endpoint = try HTTPEndpoint("https://user:sk-lf-secret@cloud.langfuse.com/api")
        #expect(!endpoint.description.contains("sk-lf-secret"))
    }

    @Test func appendingAPathKeepsExactlyOneSlash() throws {
        #expect(try HTTPEndpoint("http://localhost:4318/").appending(path: "/v1/traces").url.absoluteString == "http://localhost:4318/v1/traces")
        #expect(try HTTPEndpoint("http://localhost:4318/base").appending(path: "v1/traces").url.absoluteString == "http://localhost:4318/base/v1/traces")
    }
}
