import Foundation
import Testing
import Tracez
import TracezTestSupport

@testable import TracezLangfuse

extension LangfuseTests {
    @Suite struct ObservationTests {
        struct Message: Encodable {
            let role: String
            let content: String
        }

        struct Boom: Error, CustomStringConvertible {
            var description: String { "model unavailable" }
        }

        @Test func generationSetsEveryLLMField() async throws {
            let (tracer, collector) = try makeTracer()
            let firstToken = Date(timeIntervalSince1970: 1_700_000_000.25)
            let answer = await tracer.withGeneration("chat", model: "gpt-4o", input: [Message(role: "user", content: "Hi ü \"there\"")]) { generation in
                generation.setModelParameters(["temperature": 0.2, "max_tokens": 256])
                generation.setUsage(input: 12, output: 30, total: 42, other: ["cache_read": 5, "bogus": -1])
                generation.setCost(input: 0.0001, output: 0.0003, total: 0.0004, other: ["nan": .nan])
                generation.setCompletionStartTime(firstToken)
                generation.setPrompt(name: "support-answer", version: 3)
                generation.setMetadata("region", "eu")
                generation.setOutput("Hello!")
                return "Hello!"
            }
            #expect(answer == "Hello!")
            let record = try #require(collector.takeAll().first)
            typealias Name = LangfuseAttributeName
            #expect(record.string(Name.observationType) == "generation")
            #expect(record.string(Name.model) == "gpt-4o")
            #expect(record.json(Name.input) as? [[String: String]] == [["role": "user", "content": "Hi ü \"there\""]])
            #expect(record.json(Name.output) as? String == "Hello!")
            #expect(record.json(Name.modelParameters) as? [String: Double] == ["temperature": 0.2, "max_tokens": 256])
            #expect(record.json(Name.usageDetails) as? [String: Int] == ["input": 12, "output": 30, "total": 42, "cache_read": 5])
            #expect(record.json(Name.costDetails) as? [String: Double] == ["input": 0.0001, "output": 0.0003, "total": 0.0004])
            #expect(record.string(Name.completionStartTime) == #""2023-11-14T22:13:20.250Z""#)  // JSON text, as the SDKs send it
            #expect(record.string(Name.promptName) == "support-answer")
            #expect(record.attributes.get(Name.promptVersion) == .int64(3))
            #expect(record.json(Name.metadataPrefix + "region") as? String == "eu")
        }

        @Test func traceFieldsReachEveryObservationThroughTheTaskContext() async throws {
            let (tracer, collector) = try makeTracer()
            let trace = TraceAttributes(name: "support chat", userID: "user-42", sessionID: "session-7", tags: ["beta"], environment: "staging")
            await tracer.withTrace(trace) {
                await tracer.withObservation("handle", type: .agent) { _ in
                    async let retrieval: Void = tracer.withObservation("search", type: .retriever) { _ in }
                    await withTaskGroup(of: Void.self) { group in
                        group.addTask { await tracer.withGeneration("answer", model: "m") { _ in } }
                    }
                    await tracer.withTrace(TraceAttributes(tags: ["inner"])) {
                        await tracer.withObservation("tool call", type: .tool) { _ in }
                    }
                    await retrieval
                }
            }
            let records = collector.takeAll()
            #expect(records.count == 4)
            for record in records {
                #expect(record.string(LangfuseAttributeName.userID) == "user-42", "\(record.name)")
                #expect(record.string(LangfuseAttributeName.sessionID) == "session-7", "\(record.name)")
                #expect(record.string(LangfuseAttributeName.environment) == "staging", "\(record.name)")
                #expect(record.string(LangfuseAttributeName.traceName) == "support chat", "\(record.name)")
            }
            let tool = try #require(records.first { $0.name == "tool call" })
            #expect(tool.attributes.get(LangfuseAttributeName.traceTags) == .stringArray(["beta", "inner"]))
            #expect(Set(records.map(\.traceID)).count == 1)
            #expect(Set(records.compactMap { $0.string(LangfuseAttributeName.observationType) }) == ["agent", "retriever", "generation", "tool"])
        }

        @Test func anInvalidEnvironmentOnATraceIsLeftOff() async throws {
            let (tracer, collector) = try makeTracer()
            await tracer.withTrace(TraceAttributes(environment: "Production")) {
                await tracer.withObservation("step") { _ in }
            }
            #expect(collector.takeAll().first?.attributes.get(LangfuseAttributeName.environment) == nil)
        }

        @Test func theMaskSeesEveryValueBeforeItIsKept() async throws {
            let (tracer, collector, _) = try makeLangfuseTracer(mask: { value in
                guard case .object(var fields) = value else { return value }
                if fields["password"] != nil { fields["password"] = .string("[masked]") }
                return .object(fields)
            })
            await tracer.withObservation("login", input: ["user": "ada", "password": "hunter2"]) { observation in
                observation.setOutput(["password": "hunter2", "ok": "yes"])
                observation.setMetadata("form", ["password": "hunter2"])
            }
            let record = try #require(collector.takeAll().first)
            for key in [LangfuseAttributeName.input, LangfuseAttributeName.output, LangfuseAttributeName.metadataPrefix + "form"] {
                #expect(record.string(key)?.contains("hunter2") == false, "\(key)")
                #expect(record.string(key)?.contains("[masked]") == true, "\(key)")
            }
        }

        @Test func aValueOverTheCapIsTruncatedWithAMarkerAndCounted() async throws {
            let (tracer, collector, exporter) = try makeLangfuseTracer(maxValueBytes: 1_024)
            let before = exporter.valueStatistics.truncated
            await tracer.withObservation("big") { observation in
                observation.setOutput(String(repeating: "é", count: 5_000))
                observation.setInput("small")
            }
            #expect(exporter.valueStatistics.truncated == before + 1)
            let record = try #require(collector.takeAll().first)
            let marker = try #require(record.json(LangfuseAttributeName.output) as? [String: Any])
            #expect(marker["tracez.truncated"] as? Bool == true)
            #expect(marker["bytes"] as? Int == 10_000)  // the string itself, not JSON-quoted
            #expect((marker["preview"] as? String)?.hasPrefix("éé") == true)
            #expect(record.json(LangfuseAttributeName.input) as? String == "small")
        }

        @Test func usageAndCostAreWrittenAsTheTreeWouldWriteThem() async throws {
            let (tracer, collector) = try makeTracer()
            let otherCosts: [String: Double] = ["input": 9, "cache_read": 1e-7, "whole": 3, "zeta": 2.5, "-": 0, "big": 1e300]
            await tracer.withGeneration("chat", model: "m") { generation in
                // A named value replaces `other`'s of the same name.
                generation.setUsage(input: 5, other: ["input": 99, "b": 2, "a": 1, "negative": -4, "max": .max])
                generation.setCost(input: 0.5, total: 7, other: otherCosts.merging(["minus": -1, "inf": .infinity]) { $1 })
            }
            let record = try #require(collector.takeAll().first)
            typealias Name = LangfuseAttributeName
            #expect(record.string(Name.usageDetails) == #"{"a":1,"b":2,"input":5,"max":9223372036854775807}"#)
            // What the JSONValue tree writes for the same costs: keys sorted, whole numbers as integers.
            var accepted = otherCosts
            accepted["input"] = 0.5
            accepted["total"] = 7
            #expect(record.string(Name.costDetails) == JSONValue.object(accepted.mapValues(JSONValue.number)).jsonText)
            #expect(record.string(Name.costDetails)?.hasPrefix(#"{"-":0,"big":1e+300,"cache_read":1e-07,"input":0.5,"total":7"#) == true)
        }

        @Test func usageOverTheCapBecomesTheMarkerAndMaskedCostsStayMasked() async throws {
            let (tracer, collector, exporter) = try makeLangfuseTracer(
                mask: { value in
                    guard case .object(var fields) = value, fields["secret_tier"] != nil else { return value }
                    fields["secret_tier"] = .string("[masked]")
                    return .object(fields)
                },
                maxValueBytes: 1_024
            )
            let before = exporter.valueStatistics
            var counts: [String: Int] = [:]
            for index in 0..<200 { counts["model_\(index)_tokens"] = index }
            await tracer.withGeneration("chat", model: "m") { generation in
                generation.setUsage(input: 1, other: counts)
                generation.setCost(input: 0.25, other: ["secret_tier": 1, "bad": -1])
            }
            let record = try #require(collector.takeAll().first)
            typealias Name = LangfuseAttributeName
            let marker = try #require(record.json(Name.usageDetails) as? [String: Any])
            #expect(marker["tracez.truncated"] as? Bool == true)
            #expect(exporter.valueStatistics.truncated == before.truncated + 1)
            #expect(record.string(Name.costDetails) == #"{"input":0.25,"secret_tier":"[masked]"}"#)
            #expect(exporter.valueStatistics.droppedUsageValues == before.droppedUsageValues + 1)
        }

        @Test func observationsOfOneTracerShareTheShaperCappedToItsLimit() throws {
            // The default shaper's cap (1 MB) is over the default span limit (128 KiB): the capped
            // copy is made once, not per observation.
            let (tracer, _) = try makeTracer()
            let first = LangfuseValueShaper.of(tracer)
            #expect(first.maxValueBytes == SpanLimits().maxAttributeValueBytes)
            #expect(LangfuseValueShaper.of(tracer) === first)
            let (smaller, _) = try makeTracer(configuration: TracerConfiguration(limits: SpanLimits(maxAttributeValueBytes: 4_096)))
            #expect(LangfuseValueShaper.of(smaller).maxValueBytes == 4_096)
            #expect(LangfuseValueShaper.of(tracer).maxValueBytes == SpanLimits().maxAttributeValueBytes)
        }

        @Test func aStringIsSentAsItselfAndAnythingElseAsJSONText() async throws {
            let (tracer, collector) = try makeTracer()
            await tracer.withObservation("values") { observation in
                observation.setInput("What is Tracez?")
                observation.setOutput(["answer": "a tracing library"])
                observation.setMetadata("count", 3)
                observation.setMetadata("checked", true)
                observation.setMetadata("ratio", 0.5)
                observation.setMetadata("quote", "say \"hi\"")
            }
            let record = try #require(collector.takeAll().first)
            #expect(record.string(LangfuseAttributeName.input) == "What is Tracez?")
            #expect(record.string(LangfuseAttributeName.output) == #"{"answer":"a tracing library"}"#)
            // Integers and booleans as typed attributes, as the Python SDK sets them.
            #expect(record.attributes.get(LangfuseAttributeName.metadataPrefix + "count") == .int64(3))
            #expect(record.attributes.get(LangfuseAttributeName.metadataPrefix + "checked") == .bool(true))
            #expect(record.string(LangfuseAttributeName.metadataPrefix + "ratio") == "0.5")
            #expect(record.string(LangfuseAttributeName.metadataPrefix + "quote") == #"say "hi""#)
        }

        @Test func aThrownErrorMarksTheObservationAndIsRethrown() async throws {
            let (tracer, collector) = try makeTracer()
            await #expect(throws: Boom.self) {
                try await tracer.withGeneration("chat", model: "gpt-4o") { _ in throw Boom() }
            }
            let record = try #require(collector.takeAll().first)
            #expect(record.string(LangfuseAttributeName.level) == "ERROR")
            #expect(record.string(LangfuseAttributeName.statusMessage) == "model unavailable")
            #expect(record.isError)
        }

        @Test func scoresAreRecordsOfTheirOwn() async throws {
            let (tracer, collector) = try makeTracer()
            let traceID = await tracer.withObservation("answer") { observation in observation.span.spanContext.traceID }
            tracer.recordScore(try Score(name: "helpful", value: .boolean(true), target: .trace(traceID), comment: "thumbs up"))
            let records = collector.takeAll()
            let score = try #require(records.first { $0.name == "score helpful" })
            #expect(score.parentSpanID == nil)
            let body = try #require(score.json(LangfuseAttributeName.scoreBody) as? [String: Any])
            #expect(body["traceId"] as? String == traceID.hexString)
            #expect(body["dataType"] as? String == "BOOLEAN")
            #expect(body["value"] as? Int == 1)
            #expect(body["comment"] as? String == "thumbs up")
        }
    }
}

extension LangfuseTests {
    /// Our hand-written ISO-8601 formatter against Foundation's, over a wide range of instants.
    @Suite struct TimeTests {
        @Test func matchesFoundationsISO8601() {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            formatter.timeZone = TimeZone(identifier: "UTC")
            var (generator, seed) = SplitMix.seeded()
            var instants: [Int64] = [0, 1, 999, 1_000, 86_399_999, 86_400_000, 951_782_400_000, 1_700_000_000_250, 4_102_444_800_000, -1, -86_400_001]
            instants += (0..<2_000).map { _ in Int64.random(in: -2_208_988_800_000...7_258_118_400_000, using: &generator) }
            for milliseconds in instants {
                let date = Date(timeIntervalSince1970: Double(milliseconds) / 1000)
                #expect(LangfuseTime.iso8601(milliseconds: milliseconds) == formatter.string(from: date), "\(milliseconds) (seed \(seed))")
            }
        }

        @Test func nanosecondsAreCutToMilliseconds() {
            #expect(LangfuseTime.iso8601(nanoseconds: 1_700_000_000_123_999_999) == "2023-11-14T22:13:20.123Z")
        }

        @Test func wholeNumbersAreWrittenAsIntegers() {
            let value = JSONValue.object(["b": .number(120), "a": .number(0.25), "c": .array([.number(-3), .null, .bool(true), .string("é\n\"")])])
            #expect(value.jsonText == #"{"a":0.25,"b":120,"c":[-3,null,true,"é\n\""]}"#)
        }
    }
}
