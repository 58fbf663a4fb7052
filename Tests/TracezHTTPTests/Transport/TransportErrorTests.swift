import Testing

@testable import TracezHTTP

/// `TransportError.insecureEndpoint` matched by its case (and what the case carries), not only
/// as "some error". (Moved from `TracezOTLPTests/ErrorMatchingTests.swift`.)
@Suite(.timeLimit(.minutes(3))) struct TransportErrorTests {
    @Test(arguments: ["http://example.com", "http://example.com:8080/v1/traces", "HTTP://EXAMPLE.COM"])
    func plainHTTPToANetworkHostIsInsecureEndpointNamingTheHost(_ url: String) {
        do {
            _ = try HTTPEndpoint(url)
            Issue.record("\(url) was accepted")
        } catch {
            switch error {
            case .insecureEndpoint(let host): #expect(host.lowercased() == "example.com")
            case .invalidURL, .connectionFailed, .timedOut, .responseTooLarge: Issue.record("\(url) gave \(error)")
            }
        }
    }

    @Test func insecureEndpointIsMatchedByItsHostInExpectThrows() throws {
        #expect(throws: TransportError.insecureEndpoint(host: "example.com")) { try HTTPEndpoint("http://example.com") }
        // Opting in, or https, is not that error.
        #expect(try HTTPEndpoint("http://example.com", allowsInsecureHTTP: true).host == "example.com")
        #expect(try HTTPEndpoint("https://example.com").isSecure)
    }

    @Test func insecureEndpointsDescriptionSaysHowToFixIt() {
        let description = TransportError.insecureEndpoint(host: "example.com").description
        #expect(description.contains("example.com") && description.contains("https://"))
    }
}
