import Testing

@testable import TracezHTTP

/// `TransportError.insecureEndpoint` matched by its code (and what the error carries), not only
/// as "some error". (Moved from `TracezOTLPTests/ErrorMatchingTests.swift`.)
@Suite(.timeLimit(.minutes(3))) struct TransportErrorTests {
    @Test(arguments: ["http://example.com", "http://example.com:8080/v1/traces", "HTTP://EXAMPLE.COM"])
    func plainHTTPToANetworkHostIsInsecureEndpointNamingTheHost(_ url: String) {
        do {
            _ = try HTTPEndpoint(url)
            Issue.record("\(url) was accepted")
        } catch {
            switch error.code {
            case .insecureEndpoint: #expect(error.host?.lowercased() == "example.com")
            default: Issue.record("\(url) gave \(error)")
            }
        }
    }

    @Test func insecureEndpointIsMatchedByItsHostInExpectThrows() throws {
        #expect(throws: TransportError.insecureEndpoint(host: "example.com")) { try HTTPEndpoint("http://example.com") }
        // Opting in, or https, is not that error.
        #expect(try HTTPEndpoint("http://example.com", allowsInsecureHTTP: true).host == "example.com")
        #expect(try HTTPEndpoint("https://example.com").isSecure)
    }

    @Test func everyCodeHasItsOwnDescriptionCarryingWhatTheErrorHolds() {
        let errors: [TransportError] = [
            .invalidURL("ftp://example.com"), .insecureEndpoint(host: "example.com"),
            .connectionFailed(reason: "connection refused"), .timedOut, .responseTooLarge(limit: 1024),
        ]
        #expect(Set(errors.map(\.code)).count == errors.count)
        #expect(errors[0].description.contains("ftp://example.com") && errors[0].url == "ftp://example.com")
        #expect(errors[2].description.contains("connection refused") && errors[2].reason == "connection refused")
        #expect(errors[4].description.contains("1024") && errors[4].limit == 1024)
        #expect(errors[3] != errors[2])
    }

    @Test func insecureEndpointsDescriptionSaysHowToFixIt() {
        let description = TransportError.insecureEndpoint(host: "example.com").description
        #expect(description.contains("example.com") && description.contains("https://"))
    }
}
