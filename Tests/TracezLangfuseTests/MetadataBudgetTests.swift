import Foundation
import OTLPProto
import Testing
import Tracez

@testable import TracezLangfuse

extension LangfuseTests.ExporterTests {
    /// 125 trace metadata entries and 130 observation metadata entries: more than the 128
    /// attributes a span holds. Before, the generation arrived without model, usage, cost,
    /// input and output (issue 12).
    @Test(arguments: [LangfuseConfiguration.API.otel, .ingestion])
    func metadataNeverCostsAGenerationItsTypedFields(_ api: LangfuseConfiguration.API) async throws {
        let setup = try await makeSetup(api: api)
        let traceMetadata = Dictionary(uniqueKeysWithValues: (0..<125).map { ("t\($0)", "v\($0)") })
        await setup.tracer.withTrace(TraceAttributes(name: "busy", userID: "u-1", metadata: traceMetadata)) {
            await setup.tracer.withGeneration("answer", model: "gpt-4o", input: "question") { generation in
                for index in 0..<130 { generation.setMetadata("m\(index)", index) }
                generation.setUsage(input: 1, output: 2, total: 3)
                generation.setCost(total: 0.5)
                generation.setOutput("answer")
                generation.setPrompt(name: "support", version: 3)
            }
        }
        let statistics = await setup.tracer.shutdown(deadline: .now + .seconds(30))
        try await setup.server.stop()
        #expect(statistics.exported == 1 && statistics.isBalanced)
        #expect(setup.server.ruleViolations.isEmpty, "\(setup.server.ruleViolations.prefix(3))")
        #expect(setup.exporter.valueStatistics.droppedMetadata == 0)
        let expectedMetadata = Dictionary(uniqueKeysWithValues: (0..<130).map { ("m\($0)", $0) })

        switch api {
        case .otel:
            let span = try #require(setup.server.spans.first)
            #expect(span.droppedAttributesCount == 0)
            let attributes = Dictionary(span.attributes.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
            #expect(attributes["langfuse.observation.type"]?.stringValue == "generation")
            #expect(attributes["langfuse.observation.model.name"]?.stringValue == "gpt-4o")
            #expect(attributes["langfuse.observation.usage_details"]?.stringValue == #"{"input":1,"output":2,"total":3}"#)
            #expect(attributes["langfuse.observation.cost_details"]?.stringValue == #"{"total":0.5}"#)
            #expect(attributes["langfuse.observation.input"]?.stringValue == "question")
            #expect(attributes["langfuse.observation.output"]?.stringValue == "answer")
            #expect(attributes["langfuse.observation.prompt.version"]?.intValue == 3)
            #expect(attributes["langfuse.trace.name"]?.stringValue == "busy")
            #expect(attributes["user.id"]?.stringValue == "u-1")
            // Every entry arrives: as an attribute of its own, or in the merged value.
            func entries(prefix: String, merged: String) throws -> [String: Any] {
                var found: [String: Any] = [:]
                if let text = attributes[merged]?.stringValue {
                    found = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
                }
                // An integer entry of its own is an int attribute, as the Python SDK sets it.
                for (key, value) in attributes where key.hasPrefix(prefix) {
                    let name = String(key.dropFirst(prefix.count))
                    if case .intValue(let integer)? = value.value { found[name] = Int(integer) } else { found[name] = value.stringValue }
                }
                return found
            }
            let observationMetadata = try entries(prefix: "langfuse.observation.metadata.", merged: "langfuse.observation.metadata")
            #expect(observationMetadata as? [String: Int] == expectedMetadata)
            let trace = try entries(prefix: "langfuse.trace.metadata.", merged: "langfuse.trace.metadata")
            #expect(trace as? [String: String] == traceMetadata)
            #expect(attributes["langfuse.trace.metadata"] != nil && attributes["langfuse.observation.metadata"] != nil)
        case .ingestion:
            let generation = try #require(setup.server.events.first { $0["type"] as? String == "generation-create" }?["body"] as? [String: Any])
            #expect(generation["model"] as? String == "gpt-4o")
            #expect(generation["usageDetails"] as? [String: Int] == ["input": 1, "output": 2, "total": 3])
            #expect(generation["input"] as? String == "question" && generation["output"] as? String == "answer")
            #expect(generation["promptVersion"] as? Int == 3)
            let metadata = try #require(generation["metadata"] as? [String: Any])
            #expect(metadata.filter { $0.key.hasPrefix("m") } as? [String: Int] == expectedMetadata)
            let trace = try #require(setup.server.events.first { $0["type"] as? String == "trace-create" }?["body"] as? [String: Any])
            #expect(trace["metadata"] as? [String: String] == traceMetadata)
        }
    }
}

extension LangfuseTests.ObservationTests {
    @Test func metadataPastWhatTheMergedValueHoldsIsLeftOutAndCountedAndTheModelIsKept() async throws {
        typealias Name = LangfuseAttributeName
        // 40 attributes: 8 for metadata entries of their own, then 256 merged, then none.
        let (tracer, collector, exporter) = try makeLangfuseTracer(limits: SpanLimits(maxAttributes: 40))
        await tracer.withGeneration("answer", model: "gpt-4o") { generation in
            for index in 0..<300 { generation.setMetadata("m\(index)", index) }
            generation.setUsage(total: 3)
        }
        let record = try #require(collector.takeAll().first)
        #expect(record.droppedAttributeCount == 0)
        #expect(record.string(Name.model) == "gpt-4o")
        #expect(record.string(Name.usageDetails) == #"{"total":3}"#)
        var own = 0
        record.attributes.forEach { key, _ in if key.hasPrefix(Name.metadataPrefix) { own += 1 } }
        let merged = try #require(record.json(Name.metadata) as? [String: Int])
        #expect(merged.count == MetadataBudget.maxMergedEntries)
        #expect(own + merged.count + exporter.valueStatistics.droppedMetadata == 300)
        #expect(exporter.valueStatistics.droppedMetadata > 0)
        // An entry that has an attribute already is updated there, however full the span.
        await tracer.withObservation("update") { observation in
            for index in 0..<40 { observation.setMetadata("m\(index)", index) }
            observation.setMetadata("m0", "again")
        }
        let updated = try #require(collector.takeAll().first)
        #expect(updated.string(Name.metadataPrefix + "m0") == "again")
    }
}
