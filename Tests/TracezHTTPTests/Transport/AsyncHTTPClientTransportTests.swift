import Testing
import TracezTestSupport

@testable import TracezHTTP

/// The real transport against a real server on loopback.
@Suite(.timeLimit(.minutes(3))) struct AsyncHTTPClientTransportTests {
    func withBackend(_ body: (TestBackend, AsyncHTTPClientTransport) async throws -> Void) async throws {
        let backend = TestBackend()
        try await backend.start()
        var configuration = AsyncHTTPClientTransport.Configuration()
        configuration.maxResponseBytes = 1024
        let transport = AsyncHTTPClientTransport(configuration: configuration)
        do {
            try await body(backend, transport)
        } catch {
            await transport.shutdown()
            try await backend.stop()
            throw error
        }
        await transport.shutdown()
        try await backend.stop()
    }

    /// AsyncHTTPClient traps when a running client is released; a transport (and the
    /// exporter holding it) released without `shutdown()` must not take the process down.
    @Test func releasingATransportWithoutShutdownIsSafe() async throws {
        for _ in 0..<3 {
            let transport = AsyncHTTPClientTransport()
            _ = transport.configuration
        }
        let used = AsyncHTTPClientTransport()
        await #expect(throws: TransportError.self) {
            // Port 9 (discard) on loopback: nothing listens, the connection is refused.
            _ = try await used.send(HTTPRequest(endpoint: try HTTPEndpoint("http://127.0.0.1:9/v1/traces"), timeout: .seconds(2)))
        }
    }

    @Test func requestArrivesWithMethodHeadersAndBody() async throws {
        try await withBackend { backend, transport in
            backend.answer { _ in .status(202, headers: [("X-Answer", "yes")], body: "ok") }
            let request = HTTPRequest(
                endpoint: try HTTPEndpoint(backend.url).appending(path: "/v1/traces"),
                headers: [(name: "Content-Type", value: "application/x-protobuf")],
                body: [0, 1, 2, 255]
            )
            let response = try await transport.send(request)
            #expect(response.status == 202)
            #expect(response.header("x-answer") == "yes")
            #expect(response.body == Array("ok".utf8))
            let received = try #require(backend.requests.first)
            #expect(received.method == "POST")
            #expect(received.uri == "/v1/traces")
            #expect(received.header("Content-Type") == "application/x-protobuf")
            #expect(received.body == [0, 1, 2, 255])
        }
    }

    @Test func hugeAnswerIsRefusedNotBuffered() async throws {
        try await withBackend { backend, transport in
            backend.answer { _ in .status(200, body: String(repeating: "x", count: 100_000)) }
            await #expect(throws: TransportError.responseTooLarge(limit: 1024)) {
                try await transport.send(HTTPRequest(endpoint: try HTTPEndpoint(backend.url)))
            }
        }
    }

    @Test func hangingBackendTimesOut() async throws {
        try await withBackend { backend, transport in
            backend.answer { _ in .hang }
            await #expect(throws: TransportError.timedOut) {
                try await transport.send(HTTPRequest(endpoint: try HTTPEndpoint(backend.url), timeout: .milliseconds(200)))
            }
        }
    }

    @Test func refusedConnectionIsAConnectionFailure() async throws {
        let backend = TestBackend()
        try await backend.start()
        let url = backend.url
        try await backend.stop()  // nothing listens on that port now
        let transport = AsyncHTTPClientTransport()
        await #expect {
            try await transport.send(HTTPRequest(endpoint: try HTTPEndpoint(url), timeout: .seconds(5)))
        } throws: { error in
            (error as? TransportError)?.code == .connectionFailed
        }
        await transport.shutdown()
    }

    /// AsyncHTTPClient retries connecting until the request's deadline by default: a dead
    /// backend would cost the whole timeout on every attempt. A refusal must fail at once,
    /// say so, and not repeat the URL.
    @Test(.timeLimit(.minutes(1)))
    func refusedConnectionFailsAtOnceSayingSoWithoutTheURL() async throws {
        let backend = TestBackend()
        try await backend.start()
        let port = backend.port
        try await backend.stop()
        let transport = AsyncHTTPClientTransport()
        // Longer than the time limit: only an immediate failure passes.
        let request = HTTPRequest(endpoint: try HTTPEndpoint("http://127.0.0.1:\(port)/v1/traces"), timeout: .seconds(120))
        do {
            _ = try await transport.send(request)
            Issue.record("a closed port answered")
        } catch {
            #expect(error == .connectionFailed(reason: "connection refused"), "\(error)")
            #expect("\(error)".contains("connection refused"))
            #expect(!"\(error)".contains("127.0.0.1"))
            #expect(!"\(error)".contains("\(port)"))
        }
        await transport.shutdown()
    }

    /// A header value AsyncHTTPClient refuses (a control character) comes back in its error
    /// text; the transport's error must not carry it.
    @Test func headerValueRefusedByTheHTTPClientIsNotEchoed() async throws {
        try await withBackend { backend, transport in
            let request = HTTPRequest(
                endpoint: try HTTPEndpoint(backend.url),
                headers: [(name: "Authorization", value: "Bearer Zq7xW9kP\u{01}v3LmTokenValue")]
            )
            do {
                _ = try await transport.send(request)
                Issue.record("the request was sent")
            } catch {
                var dumped = ""
                dump(error, to: &dumped)
                for text in ["\(error)", String(reflecting: error), dumped] {
                    #expect(!text.contains("Zq7x") && !text.contains("v3Lm") && !text.contains("Token"), "\(text)")
                }
            }
            #expect(backend.requests.isEmpty)
        }
    }
}
