import Foundation
import OTLPProto
import Testing
import Tracez
import TracezLangfuse

extension LangfuseTests {
    /// One workload, written once through Tracez's public Langfuse API and once with the official
    /// Python SDK (langfuse==4.18.0) in `.ci/interop/side_by_side.py`, which compares the two
    /// field by field. This test records the Tracez side into the capture directory
    /// `side-by-side-tracez` (under `TRACEZ_CAPTURE_DIR`) and checks on its own that all of it
    /// was sent. Keep the names and values here and in the Python script the same.
    @Suite struct SideBySideTests {
        /// A thrown error whose description reads as Python prints an exception (`Type: message`),
        /// so the status messages of both sides can be compared as they are.
        struct MailError: Error, CustomStringConvertible {
            var description: String { "MailError: mail server down" }
        }

        struct ModelParameters: Encodable {
            let temperature: Double
            let maxTokens: Int

            enum CodingKeys: String, CodingKey {
                case temperature
                case maxTokens = "max_tokens"
            }
        }

        static let observationNames: Set = [
            "support agent", "search docs", "embed query", "answer", "lookup account", "cache miss", "send email",
        ]
        static let scoreNames: Set = ["quality", "helpful", "tone", "review"]
        /// 2026-01-02T03:04:05.678Z: the generation's completion start time.
        static let completionStart = Date(timeIntervalSince1970: 1_767_323_045.678)

        /// The workload of issue 12: a trace with user, session, tags and metadata; an agent, a
        /// retriever, an embedding, a generation with every field, a tool, an event, an
        /// observation that throws, and a score of each type.
        static func recordWorkload(_ tracer: Tracer) async {
            let trace = TraceAttributes(name: "support chat", userID: "u-1", sessionID: "s-1", tags: ["beta"], metadata: ["plan": "pro", "region": "eu"])
            await tracer.withTrace(trace) {
                await tracer.withObservation("support agent", type: .agent, input: ["question": "How do I reset my password?"]) { agent in
                    await tracer.withObservation("search docs", type: .retriever, input: ["query": "reset password"]) { retriever in
                        retriever.setOutput(["doc-1", "doc-2"])
                    }
                    await tracer.withObservation("embed query", type: .embedding, input: "reset password") { embedding in
                        embedding.setModel("text-embedding-3-small")
                        embedding.setUsage(input: 3)
                        embedding.setOutput([0.1, 0.2, 0.3])
                    }
                    await tracer.withGeneration(
                        "answer", model: "gpt-4o",
                        input: [["role": "system", "content": "You are a support agent."], ["role": "user", "content": "How do I reset my password?"]]
                    ) { generation in
                        generation.setModelParameters(ModelParameters(temperature: 0.2, maxTokens: 256))
                        generation.setPrompt(name: "support-answer", version: 3)
                        generation.setVersion("v2")
                        generation.setMetadata("attempt", 1)
                        generation.setMetadata("channel", "web")
                        generation.setMetadata("retrieval", ["documents": 2])
                        generation.setCompletionStartTime(Self.completionStart)
                        generation.setOutput("Use the reset link in Settings.")
                        generation.setUsage(input: 120, output: 40, total: 160)
                        generation.setCost(input: 0.0012, output: 0.0024, total: 0.0036)
                        generation.setLevel(.warning)
                        generation.setStatusMessage("slow response")
                        #expect(throws: Never.self) { try generation.score(name: "helpful", value: .boolean(true)) }
                    }
                    await tracer.withObservation("lookup account", type: .tool, input: ["user": "u-1"]) { tool in
                        tool.setOutput(["found": JSONValue.bool(true), "plan": .string("pro")])
                    }
                    tracer.recordEvent("cache miss", input: ["key": "reset password"], metadata: ["cache": .string("docs")])
                    await #expect(throws: MailError.self) {
                        try await tracer.withObservation("send email", type: .tool) { (_: Observation) async throws -> Void in throw MailError() }
                    }
                    agent.setOutput("Use the reset link in Settings.")
                    #expect(throws: Never.self) {
                        try tracer.scoreCurrentTrace(name: "quality", value: .numeric(0.9), comment: "good answer")
                        try tracer.scoreCurrentTrace(name: "tone", value: .categorical("friendly"))
                        tracer.recordScore(try Score(name: "review", value: .text("Clear and short."), target: .session("s-1")))
                    }
                }
            }
        }

        @Test func tracezSideOfTheWorkloadIsSentWhole() async throws {
            let setup = try await ExporterTests().makeSetup(api: .otel, capture: "side-by-side-tracez")
            await Self.recordWorkload(setup.tracer)
            let statistics = await setup.tracer.shutdown(deadline: .now + .seconds(30))
            let server = setup.server
            #expect(statistics.isBalanced)
            #expect(statistics.dropped.total == 0)
            #expect(statistics.exported == Self.observationNames.count + Self.scoreNames.count)
            #expect(server.ruleViolations.isEmpty, "\(server.ruleViolations.prefix(5))")
            #expect(server.silentlyDropped == 0)

            let spans = server.spans
            #expect(spans.count == Self.observationNames.count)
            #expect(Set(spans.map(\.name)) == Self.observationNames)
            #expect(Set(spans.map(\.traceID)).count == 1)
            func string(_ span: LangfuseTestServer.Span, _ key: String) -> String? {
                span.attributes.first { $0.key == key }?.value.stringValue
            }
            for span in spans {
                #expect(string(span, "langfuse.observation.type") != nil, "\(span.name) has no type")
                #expect(string(span, "user.id") == "u-1", "\(span.name)")
                #expect(string(span, "session.id") == "s-1", "\(span.name)")
                #expect(string(span, "langfuse.trace.name") == "support chat", "\(span.name)")
            }
            let failed = try #require(spans.first { $0.name == "send email" })
            #expect(failed.status.code == .error)
            let event = try #require(spans.first { $0.name == "cache miss" })
            #expect(event.startTimeUnixNano == event.endTimeUnixNano)

            #expect(server.eventTypes == Array(repeating: "score-create", count: Self.scoreNames.count))
            let scores = server.events.compactMap { $0["body"] as? [String: Any] }
            #expect(Set(scores.compactMap { $0["name"] as? String }) == Self.scoreNames)
            try await server.stop()
        }
    }
}
