import Foundation
import OTLPProto
import Synchronization
import Testing
import Tracez
import TracezOTLP
import TracezTestSupport

@testable import TracezLangfuse

extension LangfuseTests {
    /// The exporter in both modes, through the export pipeline, against ``LangfuseTestServer``.
    @Suite struct ExporterTests {
        struct Setup {
            let server: LangfuseTestServer
            let tracer: Tracer
            let exporter: LangfuseExporter
        }

        static let quickRetries = RetryPolicy(maxAttempts: 4, initialDelay: .milliseconds(10), multiplier: 2, maxDelay: .milliseconds(50))

        func makeSetup(
            api: LangfuseConfiguration.API,
            server: LangfuseTestServer = LangfuseTestServer(),
            environment: String? = "test-env",
            newTypes: Bool = false,
            batchSize: Int = 100,
            maxValueBytes: Int = LangfuseConfiguration.defaultMaxValueBytes,
            capture: String? = nil
        ) async throws -> Setup {
            try await server.start()
            let configuration = try LangfuseConfiguration(
                publicKey: server.publicKey,
                secretKey: server.secretKey,
                baseURL: try HTTPEndpoint(server.url),
                api: api,
                environment: environment,
                release: "r-1",
                timeout: .seconds(5),
                sendsNewObservationTypes: newTypes,
                maxValueBytes: maxValueBytes
            )
            let transport: any HTTPTransport = try capture.map { try CapturingTransport(into: captureDirectory($0)) } ?? AsyncHTTPClientTransport()
            let exporter = LangfuseExporter(configuration: configuration, resource: OTLPResource(serviceName: "langfuse-tests"), transport: transport)
            let collector = try Collector(configuration: CollectorConfiguration(name: "langfuse", capacity: 4096))
            let pipeline = try ExportPipeline(
                collector: collector,
                exporter: exporter,
                configuration: ExportConfiguration(maxBatchSize: batchSize, interval: .seconds(3600), retry: Self.quickRetries)
            )
            return Setup(
                server: server, tracer: Tracer(configuration: TracerConfiguration(serviceName: "langfuse-tests"), pipelines: [pipeline]), exporter: exporter)
        }

        /// A chat request as an app records it: a trace with a user and a session, an agent,
        /// a retrieval, a generation with usage, cost and prompt, a tool, an event, a score.
        func recordChat(_ tracer: Tracer, index: Int = 0) async {
            await tracer.withTrace(TraceAttributes(name: "chat \(index)", userID: "user-\(index)", sessionID: "session-\(index % 2)", tags: ["demo"])) {
                await tracer.withObservation("request", type: .agent, input: ["question": "What is Tracez?"]) { request in
                    await tracer.withObservation("search", type: .retriever) { $0.setOutput(["doc-1", "doc-2"]) }
                    await tracer.withGeneration("answer", model: "gpt-4o") { generation in
                        generation.setUsage(input: 120, output: 40)
                        generation.setCost(input: 0.0012, output: 0.0024)
                        generation.setPrompt(name: "qa", version: 2)
                        generation.setOutput("A tracing library.")
                    }
                    await tracer.withObservation("lookup", type: .tool) { $0.setLevel(.warning) }
                    await tracer.withObservation("cache miss", type: .event) { _ in }
                    request.setOutput("A tracing library.")
                    let legacy: any SetsTraceInputAndOutput = request  // for servers before v4
                    legacy.setTraceInput(["question": "What is Tracez?"])
                    legacy.setTraceOutput("A tracing library.")
                    #expect(throws: Never.self) { try tracer.scoreCurrentTrace(name: "quality", value: .numeric(0.9)) }
                }
            }
        }

        static let observationsPerChat = 5
        static let recordsPerChat = 6  // and one score

        @Test func otelModeSendsObservationsOverOTLPAndScoresOverIngestion() async throws {
            let setup = try await makeSetup(api: .otel, capture: "otel")
            for index in 0..<3 { await recordChat(setup.tracer, index: index) }
            let statistics = await setup.tracer.shutdown(deadline: .now + .seconds(30))
            #expect(statistics.exported == 3 * Self.recordsPerChat)
            #expect(statistics.isBalanced)
            let server = setup.server
            #expect(server.spans.count == 3 * Self.observationsPerChat)
            #expect(server.eventTypes == Array(repeating: "score-create", count: 3))
            #expect(server.ruleViolations.isEmpty, "\(server.ruleViolations)")
            #expect(server.silentlyDropped == 0)

            func attribute(_ span: LangfuseTestServer.Span, _ key: String) -> Opentelemetry_Proto_Common_V1_AnyValue? {
                span.attributes.first { $0.key == key }?.value
            }
            let generation = try #require(server.spans.first { $0.name == "answer" })
            #expect(attribute(generation, "langfuse.observation.type")?.stringValue == "generation")
            #expect(attribute(generation, "langfuse.observation.model.name")?.stringValue == "gpt-4o")
            #expect(attribute(generation, "langfuse.observation.usage_details")?.stringValue == #"{"input":120,"output":40}"#)
            #expect(attribute(generation, "langfuse.observation.prompt.version")?.intValue == 2)
            #expect(attribute(generation, "user.id")?.stringValue == "user-0")
            #expect(attribute(generation, "langfuse.environment")?.stringValue == "test-env")
            #expect(attribute(generation, "langfuse.release")?.stringValue == "r-1")
            #expect(server.spans.allSatisfy { attribute($0, "langfuse.observation.type") != nil })
            #expect(!server.spans.contains { $0.name.hasPrefix("score ") })
            let parents = Dictionary(grouping: server.spans, by: \.traceID)
            for (_, spans) in parents {
                let ids = Set(spans.map(\.spanID))
                #expect(spans.allSatisfy { $0.parentSpanID.isEmpty || ids.contains($0.parentSpanID) })
            }
            #expect(server.resources.allSatisfy { $0["deployment.environment.name"] == "test-env" })
            try await server.stop()
        }

        @Test func ingestionModeSendsOneCreateEventPerObservationAndATracePerRoot() async throws {
            let setup = try await makeSetup(api: .ingestion, capture: "ingestion")
            for index in 0..<2 { await recordChat(setup.tracer, index: index) }
            let statistics = await setup.tracer.shutdown(deadline: .now + .seconds(30))
            let server = setup.server
            #expect(server.ruleViolations.isEmpty, "\(server.ruleViolations)")
            #expect(server.silentlyDropped == 0)
            #expect(statistics.exported == 2 * Self.recordsPerChat)
            #expect(statistics.dropped.total == 0)
            let types = server.eventTypes
            #expect(types.filter { $0 == "trace-create" }.count == 2)
            #expect(types.filter { $0 == "generation-create" }.count == 2)
            #expect(types.filter { $0 == "event-create" }.count == 2)
            #expect(types.filter { $0 == "span-create" }.count == 6)  // agent, retriever, tool: older servers' way
            #expect(types.filter { $0 == "score-create" }.count == 2)
            #expect(!types.contains("agent-create"))

            let bodies = server.events.compactMap { $0["body"] as? [String: Any] }
            let trace = try #require(server.events.first { $0["type"] as? String == "trace-create" }?["body"] as? [String: Any])
            #expect(trace["userId"] as? String == "user-0" || trace["userId"] as? String == "user-1")
            #expect(trace["environment"] as? String == "test-env")
            #expect(trace["release"] as? String == "r-1")
            #expect((trace["tags"] as? [String]) == ["demo"])
            #expect(trace["input"] as? [String: String] == ["question": "What is Tracez?"])
            #expect(trace["output"] as? String == "A tracing library.")
            let generation = try #require(server.events.first { $0["type"] as? String == "generation-create" }?["body"] as? [String: Any])
            #expect(generation["model"] as? String == "gpt-4o")
            #expect(generation["usageDetails"] as? [String: Int] == ["input": 120, "output": 40])
            #expect(generation["costDetails"] as? [String: Double] == ["input": 0.0012, "output": 0.0024])
            #expect(generation["promptName"] as? String == "qa" && generation["promptVersion"] as? Int == 2)
            #expect((generation["endTime"] as? String)?.hasSuffix("Z") == true)
            #expect(generation["output"] as? String == "A tracing library.")
            let downgraded = bodies.filter { (($0["metadata"] as? [String: Any])?["observationType"] as? String) != nil }
            #expect(downgraded.count == 6)
            #expect(bodies.filter { ($0["level"] as? String) == "WARNING" }.count == 2)
            #expect(bodies.allSatisfy { $0["id"] is String })
            try await server.stop()
        }

        @Test func newerServersGetTheNewerEventTypesWhenAskedFor() async throws {
            let setup = try await makeSetup(api: .ingestion, server: LangfuseTestServer(acceptsNewObservationTypes: true), newTypes: true)
            await recordChat(setup.tracer)
            let statistics = await setup.tracer.shutdown(deadline: .now + .seconds(30))
            #expect(statistics.exported == Self.recordsPerChat)
            #expect(setup.server.ruleViolations.isEmpty)
            #expect(Set(setup.server.eventTypes).isSuperset(of: ["agent-create", "retriever-create", "tool-create"]))
            try await setup.server.stop()
        }

        @Test func partial207RetriesOnlyTheEventsThatFailedWith5xx() async throws {
            let setup = try await makeSetup(api: .ingestion)
            // First time they are seen: the tool fails with 500 (retried), the retriever with 400 (rejected).
            let seen = Seen()
            setup.server.failEvents { event in
                let body = event["body"] as? [String: Any]
                let name = body?["name"] as? String
                if name == "search" { return 400 }
                if name == "lookup", seen.first(event["id"] as? String ?? "") { return 500 }
                return nil
            }
            await recordChat(setup.tracer)
            let statistics = await setup.tracer.shutdown(deadline: .now + .seconds(30))
            #expect(statistics.dropped[.rejectedByBackend] == 1)
            #expect(statistics.exported == Self.recordsPerChat - 1)
            #expect(statistics.isBalanced)
            let names = setup.server.events.compactMap { ($0["body"] as? [String: Any])?["name"] as? String }
            #expect(names.filter { $0 == "lookup" }.count == 1)  // accepted once, on the retry
            #expect(!names.contains("search"))
            #expect(setup.server.ingestionRequests == 2)  // the retry carried only the failed record
            try await setup.server.stop()
        }

        @Test func wholeRequestAnswersGoThroughThePipeline() async throws {
            let setup = try await makeSetup(api: .ingestion)
            setup.server.fail(next: [.status(429, headers: [("Retry-After", "0")]), .status(503)])
            await recordChat(setup.tracer)
            let statistics = await setup.tracer.shutdown(deadline: .now + .seconds(30))
            #expect(statistics.exported == Self.recordsPerChat)
            #expect(setup.server.backend.requests.count == 3)  // 429, 503, then the one that got through
            #expect(setup.server.ingestionRequests == 1)
            try await setup.server.stop()
        }

        @Test(arguments: [401, 403, 413])
        func refusedRequestsAreCountedAsRejected(_ status: Int) async throws {
            let setup = try await makeSetup(api: .ingestion)
            setup.server.fail(next: [.status(status, body: #"{"message":"no"}"#)])
            await recordChat(setup.tracer)
            let statistics = await setup.tracer.shutdown(deadline: .now + .seconds(30))
            #expect(statistics.dropped[.rejectedByBackend] == Self.recordsPerChat)
            #expect(statistics.exported == 0)
            #expect(statistics.isBalanced)
            try await setup.server.stop()
        }

        @Test(arguments: [LangfuseConfiguration.API.otel, .ingestion])
        func wrongKeysAreRejectedAndCounted(_ api: LangfuseConfiguration.API) async throws {
            let server = LangfuseTestServer(secretKey: "sk-lf-the-real-one")
            try await server.start()
            let configuration = try LangfuseConfiguration(
                publicKey: server.publicKey, secretKey: "sk-lf-wrong-one", baseURL: try HTTPEndpoint(server.url), api: api)
            let collector = try Collector(configuration: CollectorConfiguration(name: "keys", capacity: 64))
            let pipeline = try ExportPipeline(collector: collector, exporter: LangfuseExporter(configuration: configuration))
            let tracer = Tracer(pipelines: [pipeline])
            await tracer.withObservation("one") { _ in }
            let statistics = await tracer.shutdown(deadline: .now + .seconds(30))
            #expect(statistics.dropped[.rejectedByBackend] == 1)
            #expect(statistics.isBalanced)
            try await server.stop()
        }

        @Test func bigBatchesAreSplitUnderTheRequestLimitAndHugeEventsFit() async throws {
            let setup = try await makeSetup(api: .ingestion, batchSize: 400, maxValueBytes: 60_000)
            for index in 0..<120 {
                await setup.tracer.withObservation("chunk \(index)") { observation in
                    observation.setInput(String(repeating: "x", count: 50_000))
                    observation.setOutput(String(repeating: "y", count: 50_000))
                }
            }
            let statistics = await setup.tracer.shutdown(deadline: .now + .seconds(60))
            #expect(statistics.exported == 120)
            #expect(setup.server.ingestionRequests >= 4)
            #expect(setup.server.largestIngestionRequest <= IngestionHTTPEncoding.maxRequestBytes)
            #expect(setup.server.ruleViolations.isEmpty)
            try await setup.server.stop()
        }

        @Test func anEventOverOneMegabyteLosesItsLargestFieldToAMarker() {
            let body: JSONValue = .object([
                "id": .string("abc"),
                "input": .string(String(repeating: "i", count: 600_000)),
                "output": .string(String(repeating: "o", count: 700_000)),
                "metadata": .object(["small": .bool(true)]),
            ])
            let counters = LangfuseValueShaper.Counters()
            let encoder = IngestionEncoder(counters: counters)
            guard case .object(let fitted) = encoder.fitted(body) else {
                Issue.record("not an object")
                return
            }
            #expect(JSONValue.object(fitted).jsonText.utf8.count < IngestionEncoder.maxEventBytes)
            #expect(fitted["output"] == .object(["tracez.truncated": .bool(true), "bytes": .number(700_002)]))
            #expect(fitted["input"] == body.field("input"))
            #expect(fitted["metadata"] == .object(["small": .bool(true)]))
            #expect(counters.truncated.load(ordering: .relaxed) == 1)
        }
    }
}

/// Remembers which event ids were seen, for "fail the first time" rules.
final class Seen: Sendable {
    private let ids = SanitizedMutex<Set<String>>([])
    func first(_ id: String) -> Bool { ids.withLock { $0.insert(id).inserted } }
}

extension JSONValue {
    func field(_ key: String) -> JSONValue? {
        if case .object(let fields) = self { return fields[key] }
        return nil
    }
}

extension LangfuseTests.ExporterTests {
    /// Records of about 900 KB each: three children and their parent split a batch so that
    /// the parent's `trace-create` travels in the first request and its `span-create` in the
    /// second. The values fit the 60 000-byte value cap of ``recordSplitSetup()``.
    func recordRecordSplitAcrossTwoRequests(_ tracer: Tracer) async {
        func fill(_ observation: Observation) {
            observation.setInput(String(repeating: "i", count: 59_000))
            observation.setOutput(String(repeating: "o", count: 59_000))
            for index in 0..<13 { observation.setMetadata("m\(index)", String(repeating: "m", count: 59_000)) }
        }
        await tracer.withObservation("parent") { parent in
            for index in 0..<3 { await tracer.withObservation("child \(index)") { fill($0) } }
            fill(parent)
        }
    }

    /// An ingestion setup whose values may be up to 60 000 bytes.
    func recordSplitSetup() async throws -> Setup {
        try await makeSetup(api: .ingestion, maxValueBytes: 60_000)
    }

    /// A record whose events are refused in one request and fail transiently in another is
    /// rejected, whichever request failed first, and the same as with no fault at all.
    @Test(arguments: [
        [TestBackend.Reply.status(503), .status(413, body: #"{"message":"too big"}"#)],
        [.status(413, body: #"{"message":"too big"}"#), .status(503)],
    ])
    func aRecordSplitAcrossRequestsIsRejectedWhateverFailedFirst(_ faults: [TestBackend.Reply]) async throws {
        let setup = try await recordSplitSetup()
        setup.server.fail(next: faults)
        await recordRecordSplitAcrossTwoRequests(setup.tracer)
        let statistics = await setup.tracer.shutdown(deadline: .now + .seconds(30))
        let names = setup.server.events.compactMap { ($0["body"] as? [String: Any])?["name"] as? String }
        #expect(!names.contains("parent"))
        #expect(statistics.dropped[.rejectedByBackend] >= 1)
        #expect(statistics.dropped[.exportFailed] == 0)
        #expect(statistics.isBalanced)
        // The parent's span-create went out in a request of its own, once: a refusal is final.
        let batches = setup.server.backend.requests.compactMap { request in
            (try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any])?["batch"] as? [[String: Any]]
        }
        #expect(batches.count >= 2)
        let parentSpanCreates = batches.joined().filter { event in
            event["type"] as? String == "span-create" && (event["body"] as? [String: Any])?["name"] as? String == "parent"
        }
        #expect(parentSpanCreates.count == 1)
        try await setup.server.stop()
    }

    @Test func theSameRecordWithoutFaultsIsRejectedToo() async throws {
        let setup = try await recordSplitSetup()
        setup.server.failEvents { event in
            (event["type"] as? String == "span-create" && (event["body"] as? [String: Any])?["name"] as? String == "parent") ? 413 : nil
        }
        await recordRecordSplitAcrossTwoRequests(setup.tracer)
        let statistics = await setup.tracer.shutdown(deadline: .now + .seconds(30))
        #expect(statistics.dropped[.rejectedByBackend] == 1)
        #expect(statistics.exported == 3)
        #expect(statistics.isBalanced)
        #expect(setup.server.ingestionRequests == 2)
        try await setup.server.stop()
    }

    @Test func aRecordWithAnEventTooLargeToSendIsCountedAndNeverSent() async throws {
        // Tags are not shrunk to fit: 6,000 tags of under 200 characters (the most a tag may
        // have) make a trace event of 1.2 MB.
        let setup = try await makeSetup(api: .ingestion)
        let tags = (0..<6_000).map { "\($0)-" + String(repeating: "t", count: 190) }
        await setup.tracer.withTrace(TraceAttributes(name: "huge tags", tags: tags)) {
            await setup.tracer.withObservation("root") { _ in }
        }
        await setup.tracer.withObservation("fine") { _ in }
        let statistics = await setup.tracer.shutdown(deadline: .now + .seconds(30))
        #expect(statistics.dropped[.tooLarge] == 1)
        #expect(statistics.exported == 1)
        #expect(statistics.isBalanced)
        #expect(setup.server.largestIngestionRequest <= IngestionHTTPEncoding.maxRequestBytes)
        let names = setup.server.events.compactMap { ($0["body"] as? [String: Any])?["name"] as? String }
        #expect(names == ["fine", "fine"] || names == ["fine"])  // its trace-create and span-create
        try await setup.server.stop()
    }
}

extension LangfuseTests {
    /// The default caps keep a long prompt whole, as the official SDKs do (issue 12).
    @Suite struct LongValueTests {
        /// 500 KB of prompt, several bytes per character in places: no default cap may cut it.
        static let prompt = String(repeating: "Summarise this contract: ", count: 19_000) + "é😀 end"
        /// A 100 KB answer, sent as JSON: with the prompt, 600 KB, under the 1 MB a Langfuse
        /// ingestion event may hold (the Python SDK's bound too).
        static let summary = ["summary": String(repeating: "It says: ", count: 11_000) + "é😀"]

        @Test(arguments: [LangfuseConfiguration.API.otel, .ingestion])
        func aLongPromptArrivesWholeWithTheDefaultCaps(_ api: LangfuseConfiguration.API) async throws {
            #expect(Self.prompt.utf8.count > 475_000)
            let server = LangfuseTestServer()
            try await server.start()
            let settings = try LangfuseSettings(
                environment: ["LANGFUSE_PUBLIC_KEY": server.publicKey, "LANGFUSE_SECRET_KEY": server.secretKey, "LANGFUSE_BASE_URL": server.url],
                api: api
            )
            let exporter = LangfuseExporter(configuration: settings.configuration)
            let pipeline = try ExportPipeline(
                collector: Collector(configuration: CollectorConfiguration(name: "long", capacity: 16)),
                exporter: exporter,
                configuration: settings.export
            )
            let tracer = Tracer(configuration: settings.applied(to: TracerConfiguration(serviceName: "long")), pipelines: [pipeline])
            // Results are compared as Bools below: a failure must not print half a megabyte.
            await tracer.withGeneration("summarise", model: "gpt-4o", input: Self.prompt) { generation in
                generation.setOutput(Self.summary)
            }
            let statistics = await tracer.shutdown(deadline: .now + .seconds(30))
            try await server.stop()

            #expect(statistics.exported == 1 && statistics.isBalanced)
            #expect(exporter.valueStatistics.truncated == 0)
            #expect(server.ruleViolations.isEmpty, "\(server.ruleViolations.prefix(3))")
            switch api {
            case .otel:
                let span = try #require(server.spans.first)
                let input = span.attributes.first { $0.key == "langfuse.observation.input" }?.value.stringValue
                let arrivedWhole = input == Self.prompt
                #expect(arrivedWhole, "input of \(input?.utf8.count ?? 0) bytes")
                let sent = span.attributes.first { $0.key == "langfuse.observation.output" }?.value.stringValue
                let sentOutput = try #require(sent.flatMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String] })
                let outputArrivedWhole = sentOutput == Self.summary
                #expect(outputArrivedWhole, "output of \(sent?.utf8.count ?? 0) bytes")
            case .ingestion:
                let generation = server.events.first { $0["type"] as? String == "generation-create" }
                let body = try #require(generation?["body"] as? [String: Any])
                let input = body["input"] as? String
                let arrivedWhole = input == Self.prompt
                #expect(arrivedWhole, "input of \(input?.utf8.count ?? 0) bytes")
                let outputArrivedWhole = body["output"] as? [String: String] == Self.summary
                #expect(outputArrivedWhole, "output: \(String(describing: body["output"]).prefix(200))")
            }
        }

        @Test func aTracerWhoseCapIsSmallerMakesAMarkerNotACutJSONText() async throws {
            // The Langfuse cap is 1,000,000 bytes; this tracer cuts attribute values at 1,000.
            let (tracer, collector, _) = try makeLangfuseTracer(limits: SpanLimits(maxAttributeValueBytes: 1_000))
            await tracer.withObservation("small cap") { observation in
                observation.setOutput(["text": String(repeating: "x", count: 5_000)])
            }
            let record = try #require(collector.takeAll().first)
            let output = try #require(record.string("langfuse.observation.output"))
            let marker = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
            #expect(marker["tracez.truncated"] as? Bool == true)
            #expect(marker["reason"] as? String == "over 1000 bytes")
            #expect(record.truncatedValueCount == 0)  // the tracer had nothing left to cut
        }
    }
}

extension LangfuseTests.ExporterTests {
    /// A request that continues another service's trace, as an HTTP framework records it: its
    /// server span (a plain span, remote parent) with `withTrace` and an observation inside.
    func recordContinuedRequest(_ tracer: Tracer) async -> TraceID {
        let remote = SpanContext(traceID: TraceID(high: 0xABC, low: 0xDEF), spanID: SpanID(0x123), traceFlags: .sampled, isRemote: true)
        var context = ServiceContext.topLevel
        context.spanContext = remote
        await tracer.withSpan("GET /chat", context: context, ofKind: .server) { _ in
            await tracer.withTrace(TraceAttributes(name: "support chat", userID: "u-1", sessionID: "s-1", tags: ["beta"])) {
                await tracer.withObservation("answer", type: .agent) { _ in }
            }
        }
        return remote.traceID
    }

    @Test func aSpanContinuingARemoteTraceMakesTheTraceAndTraceFieldsBelowItReachIt() async throws {
        let setup = try await makeSetup(api: .ingestion, capture: "ingestion-continued")
        let traceID = await recordContinuedRequest(setup.tracer)
        let statistics = await setup.tracer.shutdown(deadline: .now + .seconds(30))
        try await setup.server.stop()
        #expect(statistics.exported == 2 && statistics.isBalanced)
        #expect(setup.server.ruleViolations.isEmpty, "\(setup.server.ruleViolations)")
        let traces = setup.server.events.filter { $0["type"] as? String == "trace-create" }.compactMap { $0["body"] as? [String: Any] }
        #expect(!traces.isEmpty)
        #expect(traces.allSatisfy { $0["id"] as? String == traceID.hexString })
        // The server span makes the trace (before, a span with a remote parent made none), and
        // it carries the fields of `withTrace`, which was called while it ran (issue 20).
        let made = try #require(traces.first { $0["timestamp"] != nil })
        #expect(made["name"] as? String == "support chat")
        #expect(made["userId"] as? String == "u-1")
        #expect(made["sessionId"] as? String == "s-1")
        #expect(made["tags"] as? [String] == ["beta"])
        // The observation below it brings the same fields, if it sends the trace again.
        for update in traces where update["timestamp"] == nil {
            #expect(update["userId"] as? String == "u-1")
            #expect(update["name"] as? String == "support chat")
        }
    }

    @Test func aSpanContinuingARemoteTraceIsMarkedAsRootOnTheOTelEndpoint() async throws {
        let setup = try await makeSetup(api: .otel, capture: "otel-continued")
        _ = await recordContinuedRequest(setup.tracer)
        let statistics = await setup.tracer.shutdown(deadline: .now + .seconds(30))
        try await setup.server.stop()
        #expect(statistics.exported == 2 && statistics.isBalanced)
        func asRoot(_ name: String) -> Bool? {
            let span = setup.server.spans.first { $0.name == name }
            return span?.attributes.first { $0.key == "langfuse.internal.as_root" }?.value.boolValue
        }
        #expect(asRoot("GET /chat") == true)
        #expect(asRoot("answer") == nil)
        #expect(setup.server.spans.first { $0.name == "answer" }?.attributes.contains { $0.key == "user.id" && $0.value.stringValue == "u-1" } == true)
    }
}
