import Foundation
import Testing
import Tracez
import TracezTestSupport

@testable import TracezLangfuse

extension LangfuseTests {
    /// Value settings belong to the tracer's Langfuse exporter: masks, caps, default trace
    /// fields and the counters of what was replaced by a marker.
    @Suite struct ValueShaperTests {
        typealias Name = LangfuseAttributeName

        static let masksPasswords: @Sendable (JSONValue) -> JSONValue = { value in
            guard case .object(var fields) = value else { return value }
            if fields["password"] != nil { fields["password"] = .string("[masked]") }
            return .object(fields)
        }

        static func reason(_ record: SpanRecord, _ key: String) -> String? {
            (record.json(key) as? [String: Any])?["reason"] as? String
        }

        @Test func twoTracersWithTheirOwnLangfuseExportersDoNotAffectEachOther() async throws {
            let alpha = try makeLangfuseExporter(mask: Self.masksPasswords, maxValueBytes: 256, environment: "alpha")
            let beta = try makeLangfuseExporter(maxValueBytes: 4_096, maxValueDepth: 3, environment: "beta")
            let (alphaTracer, alphaCollector) = try makeLangfuseTracer(exporters: [alpha])
            let (betaTracer, betaCollector) = try makeLangfuseTracer(exporters: [beta])
            @Sendable func record(_ tracer: Tracer) async {
                await tracer.withObservation("step", input: ["password": "hunter2"]) { observation in
                    observation.setOutput(String(repeating: "z", count: 1_000))
                    observation.setMetadata("deep", nestedArrays(depth: 4))
                }
            }
            // At the same time: nothing one tracer's exporter set may leak into the other's values.
            async let first: Void = record(alphaTracer)
            async let second: Void = record(betaTracer)
            _ = await (first, second)

            let a = try #require(alphaCollector.takeAll().first)
            #expect(a.json(Name.input) as? [String: String] == ["password": "[masked]"])
            #expect(Self.reason(a, Name.output) == "over 256 bytes")
            #expect(a.string(Name.metadataPrefix + "deep") == #"[[[["bottom"]]]]"#)
            #expect(a.string(Name.environment) == "alpha")

            let b = try #require(betaCollector.takeAll().first)
            #expect(b.json(Name.input) as? [String: String] == ["password": "hunter2"])
            #expect(b.json(Name.output) as? String == String(repeating: "z", count: 1_000))
            #expect(Self.reason(b, Name.metadataPrefix + "deep") == "nested deeper than 3 levels")
            #expect(b.string(Name.environment) == "beta")

            #expect(alpha.valueStatistics == LangfuseValueStatistics(truncated: 1, unencodable: 0))
            #expect(beta.valueStatistics == LangfuseValueStatistics(truncated: 1, unencodable: 0))
        }

        @Test func aTracerWithTwoLangfuseExportersAppliesEveryMaskInPipelineOrderAndTheSmallestCaps() async throws {
            let first = try makeLangfuseExporter(
                mask: { value in
                    switch value {
                    case .string(let text): return .string(text + " first")
                    default: return Self.masksPasswords(value)
                    }
                },
                maxValueBytes: 4_096,
                maxValueDepth: 3,
                environment: "first"
            )
            let second = try makeLangfuseExporter(
                mask: { value in
                    switch value {
                    case .string(let text): return .string(text + " second")
                    case .object(var fields):
                        if fields["token"] != nil { fields["token"] = .string("[hidden]") }
                        return .object(fields)
                    default: return value
                    }
                },
                maxValueBytes: 512,
                environment: "second"
            )
            let (tracer, collector) = try makeLangfuseTracer(exporters: [first, second])
            await tracer.withObservation("step", input: ["password": "p", "token": "t"]) { observation in
                observation.setOutput("answer")
                observation.setMetadata("big", String(repeating: "x", count: 1_000))
                observation.setMetadata("deep", nestedArrays(depth: 4))
            }
            tracer.recordScore(try Score(name: "quality", value: .numeric(1), target: .trace(TraceID.random())))

            let records = collector.takeAll()
            let record = try #require(records.first { $0.name == "step" })
            #expect(record.json(Name.input) as? [String: String] == ["password": "[masked]", "token": "[hidden]"])
            #expect(record.json(Name.output) as? String == "answer first second")
            #expect(Self.reason(record, Name.metadataPrefix + "big") == "over 512 bytes")
            #expect(Self.reason(record, Name.metadataPrefix + "deep") == "nested deeper than 3 levels")
            #expect(record.string(Name.environment) == "first")
            let score = try #require(records.first { $0.name == "score quality" })
            #expect((score.json(Name.scoreBody) as? [String: Any])?["environment"] as? String == "first")
            // Each exporter counts what its tracer's values lost.
            #expect(first.valueStatistics == LangfuseValueStatistics(truncated: 2, unencodable: 0))
            #expect(second.valueStatistics == LangfuseValueStatistics(truncated: 2, unencodable: 0))
        }

        @Test func aTracerWithoutALangfuseExporterGetsDefaultShaping() async throws {
            // A Langfuse exporter with a mask and a small cap, on another tracer: it must not reach these.
            let (elsewhere, _, langfuse) = try makeLangfuseTracer(mask: { _ in .string("masked") }, maxValueBytes: 256, environment: "elsewhere")
            await elsewhere.withObservation("there", input: "value") { _ in }
            let inMemoryCollector = try Collector(configuration: CollectorConfiguration(name: "in-memory", capacity: 64))
            let inMemory = Tracer(pipelines: [try ExportPipeline(collector: inMemoryCollector, exporter: InMemoryExporter())])
            let (noPipeline, noPipelineCollector) = try makeTracer()

            for (tracer, collector) in [(inMemory, inMemoryCollector), (noPipeline, noPipelineCollector)] {
                await tracer.withObservation("here", input: "secret") { observation in
                    observation.setOutput(String(repeating: "a", count: 60_000))
                    observation.setMetadata("long", String(repeating: "l", count: 100_000))
                    observation.setMetadata("big", String(repeating: "b", count: 200_000))
                    observation.setMetadata("deep enough", nestedArrays(depth: 128))
                    observation.setMetadata("too deep", nestedArrays(depth: 129))
                }
                let record = try #require(collector.takeAll().first)
                #expect(record.json(Name.input) as? String == "secret")
                #expect(record.json(Name.output) as? String == String(repeating: "a", count: 60_000))
                // The default cap (1,000,000 bytes) lets a long value through; the tracer's
                // attribute value cap (128 KiB) makes a longer one a marker, never a cut JSON text.
                #expect(record.string(Name.metadataPrefix + "long") == String(repeating: "l", count: 100_000))
                #expect(Self.reason(record, Name.metadataPrefix + "big") == "over 131072 bytes")
                #expect(record.string(Name.metadataPrefix + "deep enough")?.hasPrefix("[[[") == true)
                #expect(Self.reason(record, Name.metadataPrefix + "too deep") == "nested deeper than 128 levels")
                #expect(record.attributes.get(Name.environment) == nil)
            }
            #expect(langfuse.valueStatistics == LangfuseValueStatistics(truncated: 0, unencodable: 0))
        }

        @Test func valueStatisticsCountATruncationAndAnUnencodableValue() async throws {
            let (tracer, collector, exporter) = try makeLangfuseTracer(maxValueBytes: 256)
            #expect(exporter.valueStatistics == LangfuseValueStatistics())
            await tracer.withObservation("step", input: Refuses()) { observation in
                observation.setOutput(String(repeating: "x", count: 1_000))
                observation.setMetadata("fits", "small")
            }
            #expect(exporter.valueStatistics == LangfuseValueStatistics(truncated: 1, unencodable: 1))
            let record = try #require(collector.takeAll().first)
            #expect(record.json(Name.input) as? [String: String] == ["tracez.unencodable": "Refuses"])
            #expect(Self.reason(record, Name.output) == "over 256 bytes")
            #expect(record.string(Name.metadataPrefix + "fits") == "small")
        }
    }
}
