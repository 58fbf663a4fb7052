import Foundation
import Testing
import TracezTestSupport

/// `tracez demo` with Langfuse keys set: the demo's traces, with a score on every other one,
/// reach a server on loopback in either mode, with Basic auth, and the summary stays exact.
/// (The Langfuse rules themselves are checked by the Langfuse test server in
/// TracezLangfuseTests and, in `.ci/run`, by langfuse==4.18.0's models.)
@Suite(.timeLimit(.minutes(3))) struct DemoLangfuseTests {
    let demo = DemoCommandTests()

    static func environment(_ url: String) -> [String: String] {
        ["LANGFUSE_PUBLIC_KEY": "pk-lf-demo-1111", "LANGFUSE_SECRET_KEY": "sk-lf-demo-2222", "LANGFUSE_BASE_URL": url]
    }

    static let authorization = "Basic " + Data("pk-lf-demo-1111:sk-lf-demo-2222".utf8).base64EncodedString()

    @Test func otelModeSendsSpansToTheOTelEndpointAndScoresToIngestion() async throws {
        let backend = TestBackend()
        backend.answer { _, request in Self.answer(request) }
        try await backend.start()
        defer { Task { try? await backend.stop() } }
        let run = try await demo.runTracez(["demo", "--traces", "4"], environment: Self.environment(backend.url))
        #expect(run.status == 0, "stderr: \(run.standardError)")
        // 4 traces of 9 spans, and a score on traces 0 and 2.
        #expect(run.lines.last == "recorded=38 exported=38 dropped=0")
        let paths = Set(backend.requests.map(\.uri))
        #expect(paths == [Self.promptPath, "/api/public/otel/v1/traces", "/api/public/ingestion"])
        #expect(run.standardError.contains("using prompt 'travel-assistant' version 5 from Langfuse"))
        #expect(backend.requests.allSatisfy { $0.header("Authorization") == Self.authorization })
        let otel = backend.requests.filter { $0.uri == "/api/public/otel/v1/traces" }
        #expect(otel.allSatisfy { $0.header("Content-Encoding") == "gzip" && $0.header("x-langfuse-ingestion-version") == "4" })
        let scores = backend.requests.filter { $0.uri == "/api/public/ingestion" }.flatMap(Self.events)
        #expect(scores.map { $0["type"] as? String } == ["score-create", "score-create"])
    }

    @Test func ingestionModeSendsEventBatches() async throws {
        let backend = TestBackend()
        backend.answer { _, request in Self.answer(request) }
        try await backend.start()
        defer { Task { try? await backend.stop() } }
        let run = try await demo.runTracez(["demo", "--traces", "2", "--langfuse-api", "ingestion"], environment: Self.environment(backend.url))
        #expect(run.status == 0, "stderr: \(run.standardError)")
        #expect(run.lines.last == "recorded=19 exported=19 dropped=0")
        #expect(backend.requests.allSatisfy { $0.uri == "/api/public/ingestion" || $0.uri == Self.promptPath })
        let types = backend.requests.flatMap(Self.events).compactMap { $0["type"] as? String }
        // The generations (not the embedding) link to the prompt the demo fetched.
        let generations = backend.requests.flatMap(Self.events).compactMap { $0["body"] as? [String: Any] }.filter { $0["model"] as? String == "gpt-4o" }
        #expect(!generations.isEmpty && generations.allSatisfy { $0["promptName"] as? String == "travel-assistant" && $0["promptVersion"] as? Int == 5 })
        #expect(types.filter { $0 == "trace-create" }.count == 2)
        // 2 generations and an embedding per trace (an embedding keeps model and usage as a generation).
        #expect(types.filter { $0 == "generation-create" }.count == 6)
        #expect(types.filter { $0 == "score-create" }.count == 1)
        // 18 observations, and each generation's "first token" span event as an event of its own.
        let spanEvents = backend.requests.flatMap(Self.events).filter { ($0["body"] as? [String: Any])?["name"] as? String == "first token" }
        #expect(spanEvents.count == 4 && spanEvents.allSatisfy { $0["type"] as? String == "event-create" })
        #expect(types.count == 25)  // 2 traces, 18 observations, 4 span events, 1 score
    }

    @Test func badKeysStopTheDemoWithoutEchoingTheSecret() async throws {
        let run = try await demo.runTracez(
            ["demo"],
            environment: [
                "LANGFUSE_PUBLIC_KEY": "pk-lf-1", "LANGFUSE_SECRET_KEY": "my-very-secret-value", "LANGFUSE_BASE_URL": "http://127.0.0.1:9",
            ])
        #expect(run.status != 0)
        #expect(run.standardError.contains("LANGFUSE_SECRET_KEY"))
        #expect(!run.standardError.contains("very-secret"))
    }

    @Test(.timeLimit(.minutes(1)), arguments: ["otel", "ingestion"])
    func demo_whenLangfuseAnswers401_namesTheStatusAndExitsNonZero(api: String) async throws {
        let backend = TestBackend()
        backend.answer { _ in .status(401, headers: [("Content-Type", "application/json")], body: #"{"message":"Invalid credentials"}"#) }
        try await backend.start()
        defer { Task { try? await backend.stop() } }
        let run = try await demo.runTracez(["demo", "--traces", "2", "--langfuse-api", api], environment: Self.environment(backend.url))
        // 2 traces of 9 spans, and a score on trace 0.
        DemoOTLPTests.expectFailedRunCounts(run, spans: 19, reasons: "rejectedByBackend=19")
        // In .otel mode observations (OTLP) and the score (ingestion) go in two requests, both
        // refused whole: the batch is refused whole, and the cause names the status.
        DemoOTLPTests.expectCause(run, ["401", "Invalid credentials"])
        #expect(!run.standardError.contains("sk-lf-demo-2222") && !run.standardError.contains("2222"))
    }

    static func events(_ request: TestBackend.Request) -> [[String: Any]] {
        let object = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any]
        return object?["batch"] as? [[String: Any]] ?? []
    }

    /// The demo's prompt request: its chat prompt, label `production`.
    static let promptPath = "/api/public/v2/prompts/travel-assistant?label=production"

    /// The demo's prompt, version 5, as Langfuse answers it.
    static let prompt = #"""
        {"name":"travel-assistant","version":5,"type":"chat","labels":["production"],"tags":[],"config":{},
         "prompt":[{"role":"system","content":"You plan trips."},{"role":"user","content":"{{request}}"}]}
        """#

    /// 200 on the OTel endpoint; on ingestion, 207 with a success per event, as Langfuse
    /// answers; the demo's prompt on its path.
    static func answer(_ request: TestBackend.Request) -> TestBackend.Reply {
        if request.uri == promptPath { return .status(200, headers: [("Content-Type", "application/json")], body: prompt) }
        guard request.uri == "/api/public/ingestion" else { return .status(200) }
        let successes = events(request).map { ["id": $0["id"] as? String ?? "", "status": 201] as [String: Any] }
        let body = try! JSONSerialization.data(withJSONObject: ["successes": successes, "errors": [Any]()])
        return .status(207, headers: [("Content-Type", "application/json")], body: String(decoding: body, as: UTF8.self))
    }
}
