import Testing
import Tracez
import TracezTestSupport

@testable import TracezLangfuse

extension LangfuseTests {
    /// Trace fields as the Python SDK sends them: none over 200 characters (issue 12).
    @Suite struct TraceAttributesTests {
        static let atTheLimit = String(repeating: "é", count: 200)  // 200 characters, 400 bytes
        static let overTheLimit = String(repeating: "é", count: 201)

        static func tags(_ record: SpanRecord) -> [String]? {
            if case .stringArray(let tags)? = record.attributes.get("langfuse.trace.tags") { return tags }
            return nil
        }

        @Test func fieldsOverTwoHundredCharactersAreLeftOutAndCounted() async throws {
            let (tracer, collector, exporter) = try makeLangfuseTracer()
            let trace = TraceAttributes(
                userID: Self.overTheLimit,
                sessionID: Self.atTheLimit,
                tags: ["ok", Self.overTheLimit, Self.atTheLimit],
                metadata: ["short": "v", "long": Self.overTheLimit, "limit": Self.atTheLimit]
            )
            await tracer.withTrace(trace) {
                await tracer.withObservation("inside") { _ in }
            }
            let record = try #require(collector.takeAll().first)
            #expect(record.attributes.get("user.id") == nil)
            #expect(record.string("session.id") == Self.atTheLimit)
            #expect(Self.tags(record) == ["ok", Self.atTheLimit])
            #expect(record.string("langfuse.trace.metadata.short") == "v")
            #expect(record.string("langfuse.trace.metadata.limit") == Self.atTheLimit)
            #expect(record.attributes.get("langfuse.trace.metadata.long") == nil)
            #expect(exporter.valueStatistics.droppedTraceFields == 3)
        }

        @Test func setTraceLeavesThemOutToo() async throws {
            let (tracer, collector, exporter) = try makeLangfuseTracer()
            await tracer.withObservation("root") { observation in
                observation.setTrace(TraceAttributes(userID: "u-1", sessionID: Self.overTheLimit))
            }
            let record = try #require(collector.takeAll().first)
            #expect(record.string("user.id") == "u-1")
            #expect(record.attributes.get("session.id") == nil)
            #expect(exporter.valueStatistics.droppedTraceFields == 1)
        }
    }
}
