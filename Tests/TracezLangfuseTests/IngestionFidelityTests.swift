import Foundation
import Testing
import Tracez

@testable import TracezLangfuse

extension LangfuseTests.ExporterTests {
    struct LookupFailed: Error {}

    /// A generation with parameters Langfuse's ingestion schema refuses as they are, an
    /// embedding, and a span with an event of its own and an error.
    func recordFidelityWorkload(_ tracer: Tracer) async {
        await tracer.withTrace(TraceAttributes(name: "fidelity", userID: "u-1")) {
            await tracer.withObservation("request", type: .agent) { request in
                await tracer.withGeneration("answer", model: "gpt-4o") { generation in
                    generation.setModelParameters(Parameters())
                    generation.setUsage(input: 12, output: 30, total: 42, other: ["cache_read": 4])
                    generation.setCost(input: 0.25, output: 0.5, total: 0.75)
                }
                await tracer.withObservation("embed", type: .embedding) { embedding in
                    embedding.setModel("text-embedding-3-small")
                    embedding.setUsage(input: 7)
                }
                request.span.addEvent(SpanEvent(name: "cache miss", attributes: ["cache.key": "q-1", "cache.size": 3]))
                _ = try? await tracer.withObservation("lookup") { _ in throw LookupFailed() }
            }
        }
    }

    /// What `setModelParameters` is given: some values the schema takes, some it refuses.
    struct Parameters: Encodable {
        var temperature = 0.2
        var maxTokens = 256
        var stream = false
        var stop = ["\n\n", "END"]
        var logitBias = ["50256": -100]
        var tools = [["name": "weather"]]

        enum CodingKeys: String, CodingKey {
            case temperature, stream, stop, tools
            case maxTokens = "max_tokens"
            case logitBias = "logit_bias"
        }
    }

    @Test func ingestionSendsWhatLangfuseTakesAndLosesNothingToItsSchema() async throws {
        let setup = try await makeSetup(api: .ingestion, capture: "ingestion-fidelity")
        await recordFidelityWorkload(setup.tracer)
        let statistics = await setup.tracer.shutdown(deadline: .now + .seconds(30))
        try await setup.server.stop()
        #expect(statistics.exported == 4 && statistics.isBalanced)
        #expect(setup.server.ruleViolations.isEmpty, "\(setup.server.ruleViolations)")
        let bodies = setup.server.events.compactMap { event -> (type: String, body: [String: Any])? in
            guard let type = event["type"] as? String, let body = event["body"] as? [String: Any] else { return nil }
            return (type, body)
        }
        func observation(_ name: String) -> (type: String, body: [String: Any])? {
            bodies.first { $0.type != "trace-create" && $0.body["name"] as? String == name }
        }

        // Model parameters: what the schema takes as it is, the rest as JSON text (before, the
        // server refused the whole generation).
        let generation = try #require(observation("answer"))
        #expect(generation.type == "generation-create")
        let parameters = try #require(generation.body["modelParameters"] as? [String: Any])
        #expect(parameters["temperature"] as? Double == 0.2)
        #expect(parameters["max_tokens"] as? Int == 256)
        #expect(parameters["stream"] as? Bool == false)
        #expect(parameters["stop"] as? [String] == ["\n\n", "END"])
        #expect(parameters["logit_bias"] as? String == #"{"50256":-100}"#)
        #expect(parameters["tools"] as? String == #"[{"name":"weather"}]"#)

        // The legacy usage object beside usageDetails, with the same numbers, for servers before v3.
        #expect(generation.body["usageDetails"] as? [String: Int] == ["input": 12, "output": 30, "total": 42, "cache_read": 4])
        let usage = try #require(generation.body["usage"] as? [String: Any])
        #expect(usage["input"] as? Int == 12 && usage["output"] as? Int == 30 && usage["total"] as? Int == 42)
        #expect(usage["unit"] as? String == "TOKENS")
        #expect(usage["inputCost"] as? Double == 0.25 && usage["outputCost"] as? Double == 0.5 && usage["totalCost"] as? Double == 0.75)

        // An embedding keeps its model and usage without the newer event types.
        let embedding = try #require(observation("embed"))
        #expect(embedding.type == "generation-create")
        #expect(embedding.body["model"] as? String == "text-embedding-3-small")
        #expect(embedding.body["usageDetails"] as? [String: Int] == ["input": 7])
        #expect((embedding.body["metadata"] as? [String: Any])?["observationType"] as? String == "embedding")

        // The span's own event, and the error's `exception`, as event children of their observations.
        let request = try #require(observation("request"))
        let cacheMiss = try #require(observation("cache miss"))
        #expect(cacheMiss.type == "event-create")
        #expect(cacheMiss.body["parentObservationId"] as? String == request.body["id"] as? String)
        #expect(cacheMiss.body["endTime"] == nil)
        let metadata = try #require(cacheMiss.body["metadata"] as? [String: Any])
        #expect(metadata["cache.key"] as? String == "q-1" && metadata["cache.size"] as? Int == 3)
        let lookup = try #require(observation("lookup"))
        #expect(lookup.body["level"] as? String == "ERROR")
        let exception = try #require(observation("exception"))
        #expect(exception.type == "event-create")
        #expect(exception.body["parentObservationId"] as? String == lookup.body["id"] as? String)
        #expect(exception.body["level"] as? String == "ERROR")
        #expect((exception.body["statusMessage"] as? String)?.hasSuffix("LookupFailed: LookupFailed()") == true)
        // Observation ids are unique, events included.
        let ids = bodies.filter { $0.type != "trace-create" }.compactMap { $0.body["id"] as? String }
        #expect(Set(ids).count == ids.count && ids.count == 6)
    }

    @Test func newerServersGetTheirOwnTypesAndNoLegacyUsage() async throws {
        let setup = try await makeSetup(api: .ingestion, server: LangfuseTestServer(acceptsNewObservationTypes: true), newTypes: true)
        await recordFidelityWorkload(setup.tracer)
        let statistics = await setup.tracer.shutdown(deadline: .now + .seconds(30))
        try await setup.server.stop()
        #expect(statistics.exported == 4 && statistics.isBalanced)
        #expect(setup.server.ruleViolations.isEmpty, "\(setup.server.ruleViolations)")
        let types = Set(setup.server.events.compactMap { $0["type"] as? String })
        #expect(types == ["trace-create", "agent-create", "generation-create", "embedding-create", "span-create", "event-create"])
        let bodies = setup.server.events.compactMap { $0["body"] as? [String: Any] }
        #expect(bodies.allSatisfy { $0["usage"] == nil })
        #expect(bodies.contains { $0["name"] as? String == "embed" && $0["model"] as? String == "text-embedding-3-small" })
    }
}

extension LangfuseTests.ObservationTests {
    @Test func usageAndCostsLangfuseWouldRefuseAreLeftOutAndCountedAndTheRestKept() async throws {
        let (tracer, collector, exporter) = try makeLangfuseTracer()
        await tracer.withGeneration("answer", model: "gpt-4o") { generation in
            generation.setUsage(input: 3, output: -1, other: ["cache": Int.min])
            generation.setCost(input: 0.5, output: .nan, total: -1)
        }
        let record = try #require(collector.takeAll().first)
        #expect(record.json(LangfuseAttributeName.usageDetails) as? [String: Int] == ["input": 3])
        #expect(record.json(LangfuseAttributeName.costDetails) as? [String: Double] == ["input": 0.5])
        #expect(record.string(LangfuseAttributeName.model) == "gpt-4o")
        #expect(exporter.valueStatistics.droppedUsageValues == 4)
    }

    @Test func legacyUsageCarriesOnlyTheNumbersUsageDetailsHas() {
        let none = IngestionEncoder.legacyUsage(nil, nil)
        #expect(none == nil)
        let tokens = IngestionEncoder.legacyUsage(.object(["input": .integer(3), "cache_read": .integer(1)]), nil)
        #expect(tokens == .object(["input": .integer(3), "unit": .string("TOKENS")]))
        let costOnly = IngestionEncoder.legacyUsage(.object([:]), .object(["total": .number(0.5)]))
        #expect(costOnly == .object(["totalCost": .number(0.5)]))
    }

    @Test func modelParametersTheSchemaRefusesBecomeText() {
        let sent = IngestionEncoder.modelParameters(
            .object([
                "n": .integer(2), "top_p": .number(0.9), "user": .string("u"), "seed": .null,
                "stop": .array([.string("x")]), "mixed": .array([.string("x"), .integer(1)]),
                "headers": .object(["a": .string("b")]),
            ]))
        #expect(
            sent
                == .object([
                    "n": .integer(2), "top_p": .number(0.9), "user": .string("u"), "seed": .null,
                    "stop": .array([.string("x")]), "mixed": .string(#"["x",1]"#), "headers": .string(#"{"a":"b"}"#),
                ]))
        #expect(IngestionEncoder.modelParameters(.array([.integer(1)])) == .object(["value": .string("[1]")]))
    }
}
