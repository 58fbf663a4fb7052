import Foundation
import Testing
import Tracez
import TracezTestSupport

@testable import TracezLangfuse

extension LangfuseTests {
    /// Scores and events as the Python SDK makes them (issue 12): checked when made, sampled with
    /// their trace, in the configured environment, and recordable without id plumbing.
    @Suite struct ScoreTests {
        typealias Name = LangfuseAttributeName

        // MARK: Checked when made

        @Test(arguments: [
            (Score.Value.numeric(.nan), ScoreError.Code.nonFiniteValue),
            (.numeric(.infinity), .nonFiniteValue),
            (.numeric(-.infinity), .nonFiniteValue),
            (.text(""), .textLength),
            (.text(String(repeating: "é", count: 501)), .textLength),
        ])
        func valuesLangfuseWouldRefuseAreRefusedWhenMade(value: Score.Value, code: ScoreError.Code) throws {
            let error = #expect(throws: ScoreError.self) {
                try Score(name: "quality", value: value, target: .trace(TraceID.random()))
            }
            #expect(error?.code == code)
        }

        @Test func theLongestTextAndTheLargestNumbersAreKept() throws {
            let text = try Score(name: "verdict", value: .text(String(repeating: "é", count: 500)), target: .session("s-1"))
            #expect(text.value == .text(String(repeating: "é", count: 500)))
            let number = try Score(name: "loss", value: .numeric(-.greatestFiniteMagnitude), target: .session("s-1"))
            #expect(
                number.body
                    == .object([
                        "id": .string(number.id), "name": .string("loss"), "value": .number(-.greatestFiniteMagnitude), "dataType": .string("NUMERIC"),
                        "sessionId": .string("s-1"),
                    ]))
        }

        @Test func emptyNamesAndTargetsAreRefused() throws {
            let id = TraceID.random()
            let cases: [(String, Score.Target, ScoreError.Code)] = [
                ("", .trace(id), .emptyName),
                ("quality", .session(""), .emptyTarget),
                ("quality", .trace(TraceID(high: 0, low: 0)), .emptyTarget),
                ("quality", .observation(id, SpanID(0)), .emptyTarget),
            ]
            for (name, target, code) in cases {
                let error = #expect(throws: ScoreError.self) { try Score(name: name, value: .numeric(1), target: target) }
                #expect(error?.code == code, "\(name) \(target)")
            }
        }

        @Test func aHugeCommentOrMetadataIsRefusedWithItsSizeAndNotItsText() throws {
            let comment = String(repeating: "secret-", count: 300_000)  // 2.1 MB
            let error = try #require(
                #expect(throws: ScoreError.self) { try Score(name: "q", value: .numeric(1), target: .session("s"), comment: comment) })
            #expect(error.code == .commentTooLarge)
            #expect(error.description.contains("2100000 bytes"))
            #expect(!error.description.contains("secret-"))

            let metadata: [String: JSONValue] = ["notes": .string(String(repeating: "x", count: Score.maxMetadataBytes))]
            let metadataError = #expect(throws: ScoreError.self) {
                try Score(name: "q", value: .numeric(1), target: .session("s"), metadata: metadata)
            }
            #expect(metadataError?.code == .metadataTooLarge)

            let fits = try Score(
                name: "q", value: .numeric(1), target: .session("s"), comment: String(repeating: "c", count: Score.maxCommentBytes),
                metadata: ["model": .string("gpt-4o")])
            guard case .object(let body) = fits.body else {
                Issue.record("a score's body is an object")
                return
            }
            #expect(body["metadata"] == .object(["model": .string("gpt-4o")]))
        }

        @Test func theLargestScoreFitsTheTracersDefaultAttributeCapWhole() throws {
            let (tracer, collector) = try makeTracer()
            let metadata: [String: JSONValue] = ["notes": .string(String(repeating: "m", count: Score.maxMetadataBytes - 20))]
            tracer.recordScore(
                try Score(
                    name: "review", value: .text(String(repeating: "t", count: 500)), target: .session("s-1"),
                    comment: String(repeating: "c", count: Score.maxCommentBytes), metadata: metadata))
            let record = try #require(collector.takeAll().first)
            let body = try #require(record.json(Name.scoreBody) as? [String: Any])
            #expect((body["comment"] as? String)?.count == Score.maxCommentBytes)
            #expect(record.truncatedValueCount == 0)
        }

        // MARK: Sampled with their trace

        @Test func aScoreOfASampledOutTraceIsNotRecordedAndASessionScoreAlwaysIs() async throws {
            let collector = try Collector(configuration: CollectorConfiguration(name: "scores", capacity: 64))
            let tracer = Tracer(
                configuration: TracerConfiguration(serviceName: "scores", sampler: .parentBased(root: .traceIDRatio(0.5))),
                collectors: [collector])
            // Trace ids the ratio sampler keeps and drops: the low 56 bits decide.
            let kept = TraceID(high: 1, low: 0x00FF_FFFF_FFFF_FFFF)
            let dropped = TraceID(high: 1, low: 1)
            #expect(Sampler.traceIDRatio(0.5).shouldSample(traceID: kept, parent: nil))
            #expect(!Sampler.traceIDRatio(0.5).shouldSample(traceID: dropped, parent: nil))

            tracer.recordScore(try Score(name: "kept", value: .numeric(1), target: .trace(kept)))
            tracer.recordScore(try Score(name: "dropped", value: .numeric(1), target: .observation(dropped, .random())))
            // A session has no trace to follow: never sampled out, whatever the new record's trace id.
            for index in 0..<20 { tracer.recordScore(try Score(name: "session \(index)", value: .numeric(1), target: .session("s"))) }

            let names = Set(collector.takeAll().map(\.name))
            #expect(names.contains("score kept"))
            #expect(!names.contains("score dropped"))
            #expect(names.filter { $0.hasPrefix("score session") }.count == 20)
        }

        @Test func aScoreInsideItsTraceFollowsTheTracesOwnDecision() async throws {
            let collector = try Collector(configuration: CollectorConfiguration(name: "scores", capacity: 64))
            // New traces are all sampled; this one is not, by its caller's decision (a remote parent).
            let tracer = Tracer(
                configuration: TracerConfiguration(serviceName: "scores", sampler: .parentBased(root: .alwaysOn)), collectors: [collector])
            var context = ServiceContext.topLevel
            context.spanContext = SpanContext(traceID: .random(), spanID: .random(), traceFlags: [], traceState: TraceState(), isRemote: true)
            await ServiceContext.withValue(context) {
                await tracer.withObservation("answer") { observation in
                    #expect(throws: Never.self) { try tracer.scoreCurrentTrace(name: "inside", value: .numeric(1)) }
                    #expect(throws: Never.self) { try observation.score(name: "observation", value: .numeric(1)) }
                }
            }
            #expect(collector.takeAll().isEmpty)
        }

        // MARK: Without id plumbing

        @Test func anObservationScoresItselfDuringAndAfterIt() async throws {
            let (tracer, collector) = try makeTracer()
            let observation = try await tracer.withObservation("answer", type: .generation) { observation in
                try observation.score(name: "during", value: .boolean(true))
                return observation
            }
            try observation.score(name: "after", value: .categorical("good"), comment: "reviewed")
            let records = collector.takeAll()
            let answer = try #require(records.first { $0.name == "answer" })
            for name in ["during", "after"] {
                let score = try #require(records.first { $0.name == "score \(name)" })
                let body = try #require(score.json(Name.scoreBody) as? [String: Any])
                #expect(body["traceId"] as? String == answer.traceID.hexString)
                #expect(body["observationId"] as? String == answer.spanID.hexString)
            }
        }

        @Test func scoreCurrentTraceTargetsTheActiveTraceAndDoesNothingOutsideOne() async throws {
            let (tracer, collector) = try makeTracer()
            try tracer.scoreCurrentTrace(name: "outside", value: .numeric(1))
            #expect(collector.takeAll().isEmpty)
            let traceID = try await tracer.withObservation("answer") { observation in
                try tracer.scoreCurrentTrace(name: "helpful", value: .numeric(0.5), metadata: ["by": .string("judge")])
                return observation.span.spanContext.traceID
            }
            let score = try #require(collector.takeAll().first { $0.name == "score helpful" })
            let body = try #require(score.json(Name.scoreBody) as? [String: Any])
            #expect(body["traceId"] as? String == traceID.hexString)
            #expect(body["observationId"] == nil)
            #expect((body["metadata"] as? [String: Any])?["by"] as? String == "judge")
        }

        // MARK: Environment

        @Test func aScoreTakesItsTracesEnvironmentThenTheConfiguredOne() async throws {
            let (tracer, collector, _) = try makeLangfuseTracer(environment: "production")
            let traceID = TraceID.random()
            tracer.recordScore(try Score(name: "configured", value: .numeric(1), target: .trace(traceID)))
            tracer.recordScore(try Score(name: "own", value: .numeric(1), target: .trace(traceID), environment: "staging"))
            try await tracer.withTrace(TraceAttributes(environment: "canary")) {
                tracer.recordScore(try Score(name: "trace's", value: .numeric(1), target: .trace(traceID)))
            }
            let environments = Dictionary(
                uniqueKeysWithValues: try collector.takeAll().map { record in
                    let body = try #require(record.json(Name.scoreBody) as? [String: Any])
                    return (record.name, body["environment"] as? String)
                })
            #expect(environments == ["score configured": "production", "score own": "staging", "score trace's": "canary"])
        }

        // MARK: Events

        @Test func recordEventMakesAPointInTimeChildOfTheCurrentSpan() async throws {
            let (tracer, collector) = try makeTracer()
            await tracer.withObservation("agent", type: .agent) { _ in
                tracer.recordEvent("cache miss", input: ["key": "user-42"], output: "fetched", metadata: ["shard": .number(3)], level: .warning)
            }
            let records = collector.takeAll()
            let agent = try #require(records.first { $0.name == "agent" })
            let event = try #require(records.first { $0.name == "cache miss" })
            #expect(event.startNanoseconds == event.endNanoseconds)
            #expect(event.parentSpanID == agent.spanID)
            #expect(event.string(Name.observationType) == "event")
            #expect(event.json(Name.input) as? [String: String] == ["key": "user-42"])
            #expect(event.string(Name.output) == "fetched")
            #expect(event.json(Name.metadataPrefix + "shard") as? Int == 3)
            #expect(event.string(Name.level) == "WARNING")
        }
    }
}
