import Testing
import Tracez
import TracezTestSupport

@testable import TracezLangfuse

extension LangfuseTests {
    /// Trace fields on the span already running, and across services in W3C baggage (issue 20).
    @Suite struct TracePropagationTests {
        typealias Name = LangfuseAttributeName

        // MARK: - Baggage entries, as the Python SDK names them

        @Test func traceFieldsBecomeTheBaggageEntriesThePythonSDKSends() {
            let trace = TraceAttributes(
                name: "chat", userID: "u-1", sessionID: "s 1", tags: ["beta", "eu"], release: "r-9", version: "v2",
                environment: "staging", isPublic: true, metadata: ["plan": "pro", "region": "eu"])
            let entries = trace.baggageEntries
            #expect(
                entries.map(\.key) == [
                    "langfuse_user_id", "langfuse_session_id", "langfuse_version", "langfuse_trace_name",
                    "langfuse_environment", "langfuse_tags", "langfuse_metadata_plan", "langfuse_metadata_region",
                ])
            #expect(entries.map(\.value) == ["u-1", "s 1", "v2", "chat", "staging", "beta,eu", "pro", "eu"])
            // Release and isPublic describe the service, not the request: they stay here.
            #expect(!entries.contains { $0.value == "r-9" })
            // Values the receiver would drop (over 200 characters) are not sent.
            let long = String(repeating: "x", count: 201)
            let tooLong = TraceAttributes(userID: long, tags: [long, "kept", ""], metadata: ["big": long])
            #expect(tooLong.baggageEntries.map(\.key) == ["langfuse_tags"])
            #expect(tooLong.baggageEntries.map(\.value) == ["kept"])

            var baggage = Baggage()
            for (key, value) in entries { baggage[key] = value }
            let received = TraceAttributes(baggage: Baggage(header: baggage.headerValue))
            var expected = trace
            expected.release = nil
            expected.isPublic = nil
            #expect(received == expected)
        }

        /// A header as Python's W3C propagator writes it; keys the SDK keeps for itself are
        /// skipped, and an unknown `langfuse_` key is metadata, as the Python SDK reads it.
        @Test func baggageIsReadAsThePythonSDKReadsIt() throws {
            let header =
                "langfuse_user_id=u-1, langfuse_session_id=s%201,langfuse_metadata_plan=pro,langfuse_trace_id=4bf92f35,"
                + "langfuse_experiment_id=x,langfuse_prompt_name=p,langfuse_team=core,langfuse_tags=a%2C%20b,other=1"
            let trace = try #require(TraceAttributes(baggage: Baggage(header: header)))
            #expect(trace.userID == "u-1")
            #expect(trace.sessionID == "s 1")
            #expect(trace.tags == ["a", "b"])
            #expect(trace.metadata == ["plan": "pro", "team": "core"])
            #expect(TraceAttributes(baggage: Baggage(header: "other=1,langfuse_trace_id=1")) == nil)
        }

        // MARK: - withTrace

        @Test func withTraceSetsItsFieldsOnTheSpanAlreadyRunning() async throws {
            // No hook: the running span gets the fields from withTrace itself.
            let (tracer, collector) = try makeTracer()
            await tracer.withSpan("GET /chat", ofKind: .server) { _ in
                await tracer.withTrace(TraceAttributes(userID: "u-1", tags: ["a"])) {
                    await tracer.withTrace(TraceAttributes(sessionID: "s-1", tags: ["b"])) {}
                }
            }
            let request = try #require(collector.takeAll().first)
            #expect(request.string(Name.userID) == "u-1")
            #expect(request.string(Name.sessionID) == "s-1")
            #expect(request.attributes.get(Name.traceTags) == .stringArray(["a", "b"]))
        }

        @Test func baggagePropagationPutsTheFieldsInTheContextsBaggageAndInProcessDoesNot() async throws {
            let (tracer, _) = try makeTracer()
            await tracer.withTrace(TraceAttributes(userID: "u-1")) {
                #expect(ServiceContext.current?.baggage == nil)
            }
            await withBaggage(["tenant": "t-1"]) {
                await tracer.withTrace(TraceAttributes(userID: "u-1", tags: ["a"]), propagation: .baggage) {
                    await tracer.withTrace(TraceAttributes(sessionID: "s-1", tags: ["b"]), propagation: .baggage) {
                        let baggage = Baggage.current
                        #expect(baggage["tenant"] == "t-1")
                        #expect(baggage["langfuse_user_id"] == "u-1")
                        #expect(baggage["langfuse_session_id"] == "s-1")
                        #expect(baggage["langfuse_tags"] == "a,b")
                    }
                }
            }
        }

        // MARK: - Reading baggage

        @Test func theHookReadsBaggageOnlyWhenAskedAndThisProcesssFieldsWin() async throws {
            let header = "langfuse_user_id=from-upstream,langfuse_session_id=s-up"
            var context = ServiceContext.topLevel
            context.baggage = Baggage(header: header)

            for readsBaggage in [false, true] {
                let configuration = TracerConfiguration(serviceName: "down", startHooks: [TraceAttributesHook(readsBaggage: readsBaggage)])
                let (tracer, collector) = try makeTracer(configuration: configuration)
                await ServiceContext.withValue(context) {
                    tracer.withSpan("plain") { _ in }
                    await tracer.withTrace(TraceAttributes(userID: "local")) {
                        tracer.withSpan("overridden") { _ in }
                        await tracer.withObservation("observation") { _ in }
                    }
                }
                let records = collector.takeAll()
                let plain = try #require(records.first { $0.name == "plain" })
                let overridden = try #require(records.first { $0.name == "overridden" })
                let observation = try #require(records.first { $0.name == "observation" })
                if readsBaggage {
                    #expect(plain.string(Name.userID) == "from-upstream")
                    #expect(plain.string(Name.sessionID) == "s-up")
                    #expect(overridden.string(Name.userID) == "local")
                    #expect(overridden.string(Name.sessionID) == "s-up")
                    #expect(observation.string(Name.userID) == "local")
                    #expect(observation.string(Name.sessionID) == "s-up")
                } else {
                    #expect(plain.string(Name.userID) == nil)
                    #expect(overridden.string(Name.userID) == "local")
                    #expect(overridden.string(Name.sessionID) == nil)
                    #expect(observation.string(Name.sessionID) == nil)
                }
            }
        }

        /// Baggage is remote input: over-long fields and a bad environment are left out as
        /// those of withTrace are, and counted.
        @Test func hostileBaggageFieldsAreCheckedAsWithTracesAre() async throws {
            let exporter = try makeLangfuseExporter()
            let collector = try Collector(configuration: CollectorConfiguration(name: "hostile", capacity: 16))
            let pipeline = try ExportPipeline(collector: collector, exporter: exporter, configuration: ExportConfiguration(interval: .seconds(3600)))
            let configuration = TracerConfiguration(serviceName: "down", startHooks: [TraceAttributesHook(readsBaggage: true)])
            let tracer = Tracez.Tracer(configuration: configuration, pipelines: [pipeline])
            var baggage = Baggage()
            baggage["langfuse_user_id"] = String(repeating: "u", count: 201)
            baggage["langfuse_environment"] = "Not Valid!"
            baggage["langfuse_metadata_"] = "no key"
            baggage["langfuse_session_id"] = "s-\u{0}-\u{FFFF}"
            var context = ServiceContext.topLevel
            context.baggage = Baggage(header: baggage.headerValue)
            ServiceContext.withValue(context) { tracer.withSpan("hostile") { _ in } }
            let record = try #require(collector.takeAll().first)
            #expect(record.string(Name.userID) == nil)
            #expect(record.string(Name.environment) == nil)
            #expect(record.string(Name.sessionID) == "s-\u{0}-\u{FFFF}")
            #expect(exporter.valueStatistics.droppedTraceFields == 1)
        }
    }
}
