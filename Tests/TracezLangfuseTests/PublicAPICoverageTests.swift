import Foundation
import Testing
import Tracez
import TracezOTLP
import TracezTestSupport

@testable import TracezLangfuse

extension LangfuseTests {
    /// Public API of the Langfuse module that no other test reached: each test reads back what
    /// the records hold, or what a Langfuse server on loopback received.
    @Suite struct PublicAPICoverageTests {
        typealias Name = LangfuseAttributeName

        // MARK: The exporter's mask and value cap apply to its tracer's observations

        @Test func anExportersMaskAndValueCapApplyToObservationsOfItsTracer() async throws {
            let server = LangfuseTestServer()
            try await server.start()
            let configuration = try LangfuseConfiguration(
                publicKey: server.publicKey,
                secretKey: server.secretKey,
                baseURL: try HTTPEndpoint(server.url),
                timeout: .seconds(5),
                mask: { value in
                    guard case .object(var fields) = value else { return value }
                    if fields["password"] != nil { fields["password"] = .string("[masked]") }
                    return .object(fields)
                },
                maxValueBytes: 512
            )
            // Nothing but the exporter in the tracer's pipeline carries the mask and the cap.
            let exporter = LangfuseExporter(configuration: configuration, resource: OTLPResource(serviceName: "coverage"))
            let collector = try Collector(configuration: CollectorConfiguration(name: "langfuse", capacity: 64))
            let pipeline = try ExportPipeline(
                collector: collector,
                exporter: exporter,
                configuration: ExportConfiguration(maxBatchSize: 64, interval: .seconds(3600))
            )
            let tracer = Tracer(configuration: TracerConfiguration(serviceName: "coverage"), pipelines: [pipeline])
            let truncatedBefore = exporter.valueStatistics.truncated
            await tracer.withObservation("login", input: ["user": "ada", "password": "hunter2"]) { observation in
                observation.setOutput(String(repeating: "x", count: 2_000))
                observation.setMetadata("small", "fits")
            }
            let statistics = await tracer.shutdown(deadline: .now + .seconds(30))
            #expect(statistics.exported == 1)
            #expect(exporter.valueStatistics.truncated == truncatedBefore + 1)

            let span = try #require(server.spans.first { $0.name == "login" })
            func attribute(_ key: String) -> String? { span.attributes.first { $0.key == key }?.value.stringValue }
            let input = try #require(attribute(Name.input))
            #expect(!input.contains("hunter2"))
            #expect(try JSONSerialization.jsonObject(with: Data(input.utf8)) as? [String: String] == ["user": "ada", "password": "[masked]"])
            let output = try #require(attribute(Name.output))
            let marker = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
            #expect(marker["tracez.truncated"] as? Bool == true)
            #expect(marker["reason"] as? String == "over 512 bytes")
            #expect(marker["bytes"] as? Int == 2_000)
            #expect(output.utf8.count <= 512)
            #expect(attribute(Name.metadataPrefix + "small") == "fits")
            try await server.stop()
        }

        @Test func anExporterMadeLaterLeavesAnEarlierTracersMaskAndCapAlone() async throws {
            let base = try HTTPEndpoint("http://127.0.0.1:9")
            let first = LangfuseExporter(
                configuration: try LangfuseConfiguration(
                    publicKey: "pk-lf-1", secretKey: "sk-lf-1", baseURL: base, mask: { _ in .string("first mask") }, maxValueBytes: 256
                ),
                transport: NeverSendsTransport())
            let (firstTracer, firstCollector) = try makeLangfuseTracer(exporters: [first])
            firstTracer.withSpan("before") { Observation($0).setOutput("value") }
            // A second exporter without a mask shapes only its own tracer's values, cap included.
            let second = LangfuseExporter(
                configuration: try LangfuseConfiguration(publicKey: "pk-lf-2", secretKey: "sk-lf-2", baseURL: base), transport: NeverSendsTransport())
            let (secondTracer, secondCollector) = try makeLangfuseTracer(exporters: [second])
            secondTracer.withSpan("after") { span in
                Observation(span).setOutput("value")
                Observation(span).setInput(String(repeating: "y", count: 1_000))
            }
            firstTracer.withSpan("still first") { Observation($0).setOutput("value") }
            let firstRecords = firstCollector.takeAll()
            let before = try #require(firstRecords.first { $0.name == "before" })
            let after = try #require(secondCollector.takeAll().first { $0.name == "after" })
            #expect(before.json(Name.output) as? String == "first mask")
            #expect(after.json(Name.output) as? String == "value")
            #expect(after.json(Name.input) as? String == String(repeating: "y", count: 1_000))
            let stillFirst = try #require(firstRecords.first { $0.name == "still first" })
            #expect(stillFirst.json(Name.output) as? String == "first mask")
            await first.shutdown()
            await second.shutdown()
        }

        // MARK: Observation setters

        @Test func observationSettersWriteTheirLangfuseAttributes() throws {
            let (tracer, collector) = try makeTracer()
            tracer.withSpan("call") { span in
                let observation = Observation(span)
                observation.setType(.guardrail)
                observation.setStatusMessage("blocked: PII in the prompt")
                observation.setVersion("2.4.1")
                observation.setModel("claude-sonnet")
            }
            let record = try #require(collector.takeAll().first)
            #expect(record.string(Name.observationType) == "guardrail")
            #expect(record.string(Name.statusMessage) == "blocked: PII in the prompt")
            #expect(record.string(Name.version) == "2.4.1")
            #expect(record.string(Name.model) == "claude-sonnet")
        }

        @Test func setTypeOverridesTheTypeAnObservationStartedWith() async throws {
            let (tracer, collector) = try makeTracer()
            await tracer.withObservation("step", type: .span) { $0.setType(.evaluator) }
            #expect(collector.takeAll().first?.string(Name.observationType) == "evaluator")
        }

        @Test func setTraceWritesEveryTraceField() async throws {
            let (tracer, collector) = try makeTracer()
            await tracer.withObservation("turn") { observation in
                observation.setTrace(
                    TraceAttributes(
                        name: "support chat",
                        userID: "user-9",
                        sessionID: "session-3",
                        tags: ["a", "b"],
                        release: "r-7",
                        version: "v-2",
                        environment: "prod-eu",
                        isPublic: true,
                        metadata: ["plan": "\"pro\""]
                    ))
            }
            let record = try #require(collector.takeAll().first)
            #expect(record.string(Name.traceName) == "support chat")
            #expect(record.string(Name.userID) == "user-9")
            #expect(record.string(Name.sessionID) == "session-3")
            #expect(record.attributes.get(Name.traceTags) == .stringArray(["a", "b"]))
            #expect(record.string(Name.release) == "r-7")
            #expect(record.string(Name.version) == "v-2")
            #expect(record.string(Name.environment) == "prod-eu")
            #expect(record.attributes.get(Name.tracePublic) == .bool(true))
            #expect(record.string(Name.traceMetadataPrefix + "plan") == "\"pro\"")
        }

        // MARK: Scores and public traces

        @Test func forCurrentTraceTargetsTheActiveSpansTrace() async throws {
            let (tracer, collector) = try makeTracer()
            #expect(try Score.forCurrentTrace(name: "outside", value: .numeric(1)) == nil)
            let traceID = try await tracer.withObservation("answer") { observation in
                let score = try #require(try Score.forCurrentTrace(name: "helpful", value: .categorical("yes"), comment: "checked"))
                #expect(score.target == .trace(observation.span.spanContext.traceID))
                tracer.recordScore(score)
                return observation.span.spanContext.traceID
            }
            let records = collector.takeAll()
            let score = try #require(records.first { $0.name == "score helpful" })
            let body = try #require(score.json(Name.scoreBody) as? [String: Any])
            #expect(body["traceId"] as? String == traceID.hexString)
            #expect(body["observationId"] == nil)
            #expect(body["value"] as? String == "yes")
            #expect(body["dataType"] as? String == "CATEGORICAL")
            #expect(body["comment"] as? String == "checked")
        }

        @Test func isPublicReachesTheRecordAndTheTraceCreateEvent() async throws {
            let (tracer, collector) = try makeTracer()
            await tracer.withTrace(TraceAttributes(name: "shared", isPublic: true)) {
                await tracer.withObservation("root") { _ in }
            }
            await tracer.withTrace(TraceAttributes(name: "private", isPublic: false)) {
                await tracer.withObservation("other root") { _ in }
            }
            await tracer.withObservation("unset") { _ in }
            let records = collector.takeAll()
            #expect(records.first { $0.name == "root" }?.attributes.get(Name.tracePublic) == .bool(true))
            #expect(records.first { $0.name == "other root" }?.attributes.get(Name.tracePublic) == .bool(false))
            #expect(records.first { $0.name == "unset" }?.attributes.get(Name.tracePublic) == nil)

            // The ingestion API sends it as the trace's `public` field.
            let server = LangfuseTestServer()
            try await server.start()
            let exporter = LangfuseExporter(
                configuration: try LangfuseConfiguration(
                    publicKey: server.publicKey, secretKey: server.secretKey, baseURL: try HTTPEndpoint(server.url), api: .ingestion, timeout: .seconds(5)
                ))
            try await exporter.export(records)
            await exporter.shutdown()
            try await server.stop()
            #expect(server.ruleViolations.isEmpty, "\(server.ruleViolations)")
            let traces = server.events.filter { $0["type"] as? String == "trace-create" }.compactMap { $0["body"] as? [String: Any] }
            #expect(traces.count == 3)
            #expect(traces.first { $0["name"] as? String == "shared" }?["public"] as? Bool == true)
            #expect(traces.first { $0["name"] as? String == "private" }?["public"] as? Bool == false)
        }

        // MARK: Values that cannot be encoded

        @Test func aValueThatCannotBeEncodedBecomesAMarkerAndIsCounted() throws {
            let (tracer, collector, exporter) = try makeLangfuseTracer()
            let before = exporter.valueStatistics.unencodable
            tracer.withSpan("broken") { span in
                let observation = Observation(span)
                observation.setInput(Refuses())
                observation.setMetadata("also", [Refuses()])
                observation.setOutput("fine")
            }
            #expect(exporter.valueStatistics.unencodable == before + 2)
            let record = try #require(collector.takeAll().first)
            #expect(record.json(Name.input) as? [String: String] == ["tracez.unencodable": "Refuses"])
            #expect(record.json(Name.metadataPrefix + "also") as? [String: String] == ["tracez.unencodable": "Array<Refuses>"])
            #expect(record.json(Name.output) as? String == "fine")
        }

        @Test func theMaskSeesTheUnencodableMarker() throws {
            let (tracer, collector, _) = try makeLangfuseTracer(mask: { value in
                guard case .object(var fields) = value, fields["tracez.unencodable"] != nil else { return value }
                fields["seen by mask"] = .bool(true)
                return .object(fields)
            })
            tracer.withSpan("broken") { Observation($0).setOutput(Refuses()) }
            let record = try #require(collector.takeAll().first)
            let marker = try #require(record.json(Name.output) as? [String: Any])
            #expect(marker["tracez.unencodable"] as? String == "Refuses")
            #expect(marker["seen by mask"] as? Bool == true)
        }

        // MARK: LANGFUSE_DEBUG

        static let keys = ["LANGFUSE_PUBLIC_KEY": "pk-lf-abcdef-1234", "LANGFUSE_SECRET_KEY": "sk-lf-very-secret-5678"]

        @Test(arguments: [
            ("true", true), ("TRUE", true), ("1", true), (" true ", true),
            ("false", false), ("False", false), ("0", false), ("", false), ("  ", false),
        ])
        func langfuseDebugIsReadAsAFlag(_ raw: String, _ expected: Bool) throws {
            let settings = try LangfuseSettings(environment: Self.keys.merging(["LANGFUSE_DEBUG": raw]) { $1 })
            #expect(settings.isDebug == expected)
        }

        @Test func langfuseDebugIsOffWhenUnset() throws {
            #expect(try !LangfuseSettings(environment: Self.keys).isDebug)
        }

        @Test(arguments: ["yes", "on", "2", "debug"])
        func anUnreadableLangfuseDebugNamesTheVariable(_ raw: String) {
            #expect {
                try LangfuseSettings(environment: Self.keys.merging(["LANGFUSE_DEBUG": raw]) { $1 })
            } throws: { error in
                guard let failure = error as? LangfuseConfigurationError, failure.code == .invalidValue,
                    let field = failure.field, let reason = failure.reason
                else { return false }
                return field == "LANGFUSE_DEBUG" && reason.contains(raw)
            }
        }
    }
}
