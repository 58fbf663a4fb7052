import Foundation
import OTLPProto
import Synchronization
import Testing
import Tracez
import TracezGRPCTestSupport
import TracezOTLP
import TracezOTLPGRPC
import TracezTestSupport
import Tracing

@testable import TracezLangfuse

/// Everything a user or an LLM controls, at its extremes, through every exporter to a real
/// server on loopback: the process survives, every request is under the backend's limit,
/// `recorded == exported + dropped + pending` exactly, and the server got what was exported.
extension LangfuseTests {
    @Suite struct HostileInputTests {
        typealias OTLPRequest = Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceRequest

        /// 10 MB of two-byte characters.
        static let tenMegabytes = "x" + String(repeating: "é", count: 5_000_000)

        /// Set last on the typed span, after its count cap was reached: it must arrive nowhere,
        /// while `typed.int64.min`, set early, must arrive in every exporter's output.
        static let typedMarker = (key: "typed.marker", value: "late")

        /// Whether the typed span's attributes, as an exporter wrote them (`key` → value as
        /// decoded), kept `typed.int64.min` and a cut `typed.value`, and dropped the late marker.
        static func typedAttributesArrived(_ attributes: [String: Any]) -> Bool {
            let value = attributes["typed.value"] as? String ?? ""
            return (attributes["typed.int64.min"] as? Int64) == Int64.min && !value.isEmpty
                && value.utf8.count <= SpanLimits().maxAttributeValueBytes && attributes[typedMarker.key] == nil
        }

        /// An OTLP span's attributes as `key` → value (`int64` for integers, `String` for strings).
        static func plainAttributes(_ span: Opentelemetry_Proto_Trace_V1_Span) -> [String: Any] {
            var plain: [String: Any] = [:]
            for attribute in span.attributes {
                switch attribute.value.value {
                case .intValue(let value)?: plain[attribute.key] = value
                case .stringValue(let value)?: plain[attribute.key] = value
                default: plain[attribute.key] = attribute.value
                }
            }
            return plain
        }

        /// An OTLP/JSON span's attributes as `key` → value (`intValue` strings read as `Int64`).
        static func plainAttributes(json span: [String: Any]) -> [String: Any] {
            var plain: [String: Any] = [:]
            for attribute in span["attributes"] as? [[String: Any]] ?? [] {
                guard let key = attribute["key"] as? String, let value = attribute["value"] as? [String: Any] else { continue }
                if let text = value["intValue"] as? String { plain[key] = Int64(text) } else { plain[key] = value["stringValue"] ?? value }
            }
            return plain
        }

        /// The hostile set, recorded as an app would; returns how many spans it recorded.
        static func recordHostileSet(_ tracer: Tracez.Tracer) async -> Int {
            var context = ServiceContext.topLevel
            context.baggage = Baggage(header: hostileBaggage)
            return await ServiceContext.withValue(context) { await recordHostileSpans(tracer) }
        }

        /// A `baggage` header as a hostile caller could send it: garbage entries, bad percent
        /// escapes and UTF-8, an over-long user id, a bad environment, 300 entries, 1 MB.
        static let hostileBaggage =
            [
                "langfuse_user_id=" + String(repeating: "u", count: 10_000), "langfuse_environment=%FF%FE", "=no-key", "k=%", "bad=%C3%28",
                "langfuse_session_id=s%00%0A", "langfuse_metadata_=empty", "tenant=t-1;p=1", ",,,", "  spaced  =  value  ",
            ]
            .joined(separator: ",") + "," + (0..<300).map { "k\($0)=\(String(repeating: "v", count: 4_000))" }.joined(separator: ",")

        /// Hooks that put baggage on spans, so that hostile baggage reaches every exporter.
        static let configuration = TracerConfiguration(
            serviceName: "hostile", startHooks: [BaggageAttributesHook(), TraceAttributesHook(readsBaggage: true)])

        static func recordHostileSpans(_ tracer: Tracez.Tracer) async -> Int {
            var recorded = 0
            await tracer.withTrace(
                TraceAttributes(name: "hostile", userID: String(repeating: "u", count: 100_000), tags: ["", " ", tenMegabytes]), propagation: .baggage
            ) {
                await tracer.withObservation(tenMegabytes, input: nestedArrays(depth: 5_000)) { observation in
                    observation.setOutput(Chain(depth: 20_000))
                    observation.setMetadata("", "an empty metadata key")
                    observation.setMetadata("deep", nestedArrays(depth: 3_000))
                    let span = observation.span
                    span.attributes[""] = 1
                    span.attributes["   "] = 2
                    span.attributes[tenMegabytes] = "a key of 10 MB"
                    span.attributes["value"] = tenMegabytes
                    span.attributes["convertible"] = SpanAttribute.stringConvertible(tenMegabytes)
                    span.attributes["nan"] = Double.nan
                    span.attributes["infinity"] = Double.infinity
                    span.attributes["minus.infinity"] = -Double.infinity
                    span.attributes["int64.min"] = Int64.min
                    span.attributes["int64.max"] = Int64.max
                    span.attributes["doubles"] = [Double.nan, .infinity, -.infinity, .greatestFiniteMagnitude, .leastNonzeroMagnitude]
                    span.attributes["replacement"] = String(decoding: [0x61, 0xFF, 0xFE, 0xC3, 0x28, 0x62] as [UInt8], as: UTF8.self)
                    span.updateAttributes { attributes in
                        for index in 0..<10_000 { attributes["attribute.\(index)"] = index }
                    }
                    for index in 0..<10_000 { span.addEvent(SpanEvent(name: "event \(index)", attributes: ["": 1, "i": .int64(Int64(index))])) }
                    span.addEvent(SpanEvent(name: tenMegabytes))
                    span.setStatus(SpanStatus(code: .error, message: tenMegabytes))
                }
                recorded += 1
                await tracer.withGeneration("generation", model: tenMegabytes) { generation in
                    generation.setUsage(input: Int.max, output: -5, total: Int.max, other: ["cache": Int.min])
                    generation.setCost(input: .nan, output: .infinity, total: .greatestFiniteMagnitude)
                    generation.setModelParameters(["temperature": JSONValue.number(.nan), "deep": nestedArrays(depth: 1_000)])
                    generation.setPrompt(name: tenMegabytes, version: Int.min)
                }
                recorded += 1
                struct Failure: Error, CustomStringConvertible { var description: String { HostileInputTests.tenMegabytes } }
                await tracer.withObservation("fails") { observation in observation.span.recordError(Failure()) }
                recorded += 1
                // The same extremes through the typed setters (TZ-0001), with a marker each
                // exporter's output is searched for.
                await tracer.withObservation("typed") { observation in
                    let span = observation.span
                    span.set("", 1)
                    span.set("   ", true)
                    span.set(tenMegabytes, "a key of 10 MB")
                    span.set("typed.value", tenMegabytes)
                    span.set("typed.nan", Double.nan)
                    span.set("typed.infinity", -Double.infinity)
                    span.set("typed.int64.min", Int64.min)
                    span.set("typed.int64.max", Int64.max)
                    span.set("typed.replacement", String(decoding: [0x61, 0xFF, 0xFE, 0xC3, 0x28, 0x62] as [UInt8], as: UTF8.self))
                    for index in 0..<10_000 { span.set("typed.\(index)", index) }
                    span.set(typedMarker.key, typedMarker.value)
                }
                recorded += 1
                await tracer.withObservation("fine") { _ in }
                recorded += 1
            }
            return recorded
        }

        static func pipeline(_ exporter: some Exporter, batchSize: Int = 2) throws -> ExportPipeline {
            try ExportPipeline(
                collector: Collector(configuration: CollectorConfiguration(name: "hostile", capacity: 64)),
                exporter: exporter,
                configuration: ExportConfiguration(
                    maxBatchSize: batchSize,
                    interval: .seconds(3600),
                    retry: RetryPolicy(maxAttempts: 3, initialDelay: .milliseconds(5), maxDelay: .milliseconds(20))
                )
            )
        }

        // Each test loads both cores for tens of seconds: a heavy test (`MachineShare`), so that
        // no test whose outcome depends on timing runs beside it.
        @Test(arguments: [OTLPExporterConfiguration.Encoding.protobuf, .json])
        func throughTheOTLPExporter(_ encoding: OTLPExporterConfiguration.Encoding) async throws {
            try await MachineShare.heavy { try await throughOTLP(encoding) }
        }

        private func throughOTLP(_ encoding: OTLPExporterConfiguration.Encoding) async throws {
            let backend = TestBackend()
            try await backend.start()
            let limit = 1 << 20
            let configuration = OTLPExporterConfiguration(
                endpoint: try HTTPEndpoint(backend.url).appending(path: "v1/traces"),
                encoding: encoding,
                compression: .gzip,
                timeout: .seconds(10),
                maxRequestBytes: limit
            )
            let tracer = Tracez.Tracer(
                configuration: Self.configuration,
                pipelines: [try Self.pipeline(OTLPHTTPExporter(configuration: configuration, resource: OTLPResource(serviceName: "hostile")))]
            )
            let recorded = await Self.recordHostileSet(tracer)
            let statistics = await tracer.shutdown(deadline: .now + .seconds(60))
            try await backend.stop()

            #expect(statistics.recorded == recorded)
            #expect(statistics.isBalanced && statistics.pending == 0)
            #expect(statistics.spanLimits.truncatedValues > 0 && statistics.spanLimits.droppedAttributes > 0 && statistics.spanLimits.droppedEvents > 0)
            var received = 0
            var carriesDroppedCounts = false
            var typedArrived = false
            for request in backend.requests {
                let body = try gunzip(request.body)
                #expect(body.count <= limit)
                if encoding == .protobuf {
                    let message = try OTLPRequest(serializedBytes: body)
                    let spans = message.resourceSpans.flatMap(\.scopeSpans).flatMap(\.spans)
                    received += spans.count
                    carriesDroppedCounts = carriesDroppedCounts || spans.contains { $0.droppedAttributesCount > 0 && $0.droppedEventsCount > 0 }
                    typedArrived = typedArrived || spans.contains { $0.name == "typed" && Self.typedAttributesArrived(Self.plainAttributes($0)) }
                    for span in spans {
                        #expect(span.name.utf8.count <= SpanLimits().maxNameBytes)
                        #expect(span.attributes.allSatisfy { !$0.key.trimmingCharacters(in: .whitespaces).isEmpty && $0.key.utf8.count <= 256 })
                    }
                } else {
                    let object = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
                    let resourceSpans = object["resourceSpans"] as? [[String: Any]] ?? []
                    let spans = resourceSpans.flatMap { ($0["scopeSpans"] as? [[String: Any]]) ?? [] }.flatMap { ($0["spans"] as? [[String: Any]]) ?? [] }
                    received += spans.count
                    carriesDroppedCounts = carriesDroppedCounts || spans.contains { $0["droppedAttributesCount"] != nil && $0["droppedEventsCount"] != nil }
                    typedArrived =
                        typedArrived
                        || spans.contains { $0["name"] as? String == "typed" && Self.typedAttributesArrived(Self.plainAttributes(json: $0)) }
                }
            }
            #expect(carriesDroppedCounts)
            #expect(typedArrived)
            #expect(received == statistics.exported)
            #expect(statistics.exported + statistics.dropped[.tooLarge] == recorded)
        }

        @Test func throughTheOTLPGRPCExporter() async throws {
            try await MachineShare.heavy { try await throughOTLPGRPC() }
        }

        private func throughOTLPGRPC() async throws {
            let collector = try await GRPCTestCollector()
            let limit = 1 << 20
            let configuration = OTLPGRPCExporterConfiguration(
                endpoint: try HTTPEndpoint("http://127.0.0.1:\(collector.port)"),
                compression: .gzip,
                timeout: .seconds(10),
                maxRequestBytes: limit
            )
            let exporter = try OTLPGRPCExporter(configuration: configuration, resource: OTLPResource(serviceName: "hostile"))
            let tracer = Tracez.Tracer(configuration: Self.configuration, pipelines: [try Self.pipeline(exporter)])
            let recorded = await Self.recordHostileSet(tracer)
            let statistics = await tracer.shutdown(deadline: .now + .seconds(60))
            await collector.stop()

            #expect(statistics.recorded == recorded)
            #expect(statistics.isBalanced && statistics.pending == 0)
            #expect(statistics.spanLimits.truncatedValues > 0 && statistics.spanLimits.droppedAttributes > 0)
            // Every call was under the limit, decoded by the protoc-generated types, and carried
            // exactly what was counted exported.
            #expect(collector.calls.allSatisfy { (try? $0.request.serializedBytes() as [UInt8])?.count ?? .max <= limit })
            let spans = collector.spans
            #expect(spans.count == statistics.exported)
            #expect(statistics.exported + statistics.dropped[.tooLarge] == recorded)
            #expect(spans.contains { $0.droppedAttributesCount > 0 && $0.droppedEventsCount > 0 })
            #expect(spans.contains { $0.name == "typed" && Self.typedAttributesArrived(Self.plainAttributes($0)) })
            for span in spans {
                #expect(span.name.utf8.count <= SpanLimits().maxNameBytes)
                #expect(span.attributes.allSatisfy { !$0.key.trimmingCharacters(in: .whitespaces).isEmpty && $0.key.utf8.count <= 256 })
            }
        }

        @Test(arguments: [LangfuseConfiguration.API.otel, .ingestion])
        func throughTheLangfuseExporter(_ api: LangfuseConfiguration.API) async throws {
            try await MachineShare.heavy { try await throughLangfuse(api) }
        }

        private func throughLangfuse(_ api: LangfuseConfiguration.API) async throws {
            let server = LangfuseTestServer()
            try await server.start()
            let configuration = try LangfuseConfiguration(
                publicKey: server.publicKey,
                secretKey: server.secretKey,
                baseURL: try HTTPEndpoint(server.url),
                api: api,
                environment: "hostile",
                timeout: .seconds(10)
            )
            let exporter = LangfuseExporter(configuration: configuration, resource: OTLPResource(serviceName: "hostile"))
            let tracer = Tracez.Tracer(configuration: Self.configuration, pipelines: [try Self.pipeline(exporter)])
            let truncatedBefore = exporter.valueStatistics.truncated
            let recorded = await Self.recordHostileSet(tracer)
            let statistics = await tracer.shutdown(deadline: .now + .seconds(60))
            try await server.stop()

            #expect(exporter.valueStatistics.truncated >= truncatedBefore + 3)  // input, output and the deep metadata
            #expect(exporter.valueStatistics.droppedUsageValues == 4)  // output -5, cache Int.min, cost NaN and infinity
            #expect(statistics.recorded == recorded)
            #expect(statistics.isBalanced && statistics.pending == 0)
            #expect(server.ruleViolations.isEmpty, "\(server.ruleViolations.prefix(3))")
            #expect(server.silentlyDropped == 0)
            #expect(server.largestIngestionRequest <= IngestionHTTPEncoding.maxRequestBytes)
            switch api {
            case .otel:
                #expect(server.spans.count == statistics.exported)
                #expect(server.spans.allSatisfy { $0.name.utf8.count <= SpanLimits().maxNameBytes })
                #expect(server.spans.contains { $0.name == "typed" && Self.typedAttributesArrived(Self.plainAttributes($0)) })
            case .ingestion:
                let observations = Set(
                    server.events.filter { ($0["type"] as? String) != "trace-create" }.compactMap { ($0["body"] as? [String: Any])?["id"] as? String })
                // One observation per span (its span id), and the span events as children of theirs.
                #expect(observations.filter { $0.count == 16 }.count == statistics.exported)
                #expect(observations.contains { $0.count > 16 })
                for event in server.events {
                    let text = try JSONSerialization.data(withJSONObject: event)
                    #expect(text.count <= IngestionEncoder.maxEventBytes)
                }
                // What the span limits cut travels in the observation's metadata.
                let limits = server.events.compactMap { (($0["body"] as? [String: Any])?["metadata"] as? [String: Any])?["tracez.limits"] as? [String: Any] }
                #expect(limits.contains { ($0["truncatedValues"] as? Int ?? 0) > 0 && ($0["droppedEvents"] as? Int ?? 0) > 0 })
                // Integers stay integers: a usage of Int.max arrives as Int.max.
                let usage = server.events.compactMap { ($0["body"] as? [String: Any])?["usageDetails"] as? [String: Any] }
                #expect(usage.contains { ($0["input"] as? Int) == Int.max && $0["output"] == nil })
                // The typed span's attributes, in its observation's metadata.
                let typed = server.events.compactMap { $0["body"] as? [String: Any] }.first { $0["name"] as? String == "typed" }
                let typedAttributes = (typed?["metadata"] as? [String: Any])?["attributes"] as? [String: Any] ?? [:]
                #expect(Self.typedAttributesArrived(typedAttributes.mapValues { ($0 as? NSNumber).map { Int64(truncating: $0) } ?? $0 }))
            }
            #expect(statistics.exported + statistics.dropped[.tooLarge] == recorded)
            #expect(statistics.exported >= 2)
        }

        @Test func throughTheStdoutExporter() async throws {
            try await MachineShare.heavy { try await throughStdout() }
        }

        private func throughStdout() async throws {
            let output = SanitizedMutex<[String]>([])
            for format in [StdoutExporter.Format.tree, .jsonLines] {
                let exporter = StdoutExporter(format: format) { text in output.withLock { $0.append(text) } }
                let tracer = Tracez.Tracer(configuration: Self.configuration, pipelines: [try Self.pipeline(exporter)])
                let recorded = await Self.recordHostileSet(tracer)
                let statistics = await tracer.shutdown(deadline: .now + .seconds(60))
                #expect(statistics.recorded == recorded && statistics.exported == recorded)
                #expect(statistics.isBalanced)
            }
            let text = output.withLock { $0.joined() }
            #expect(text.contains("fine"))
            // The typed span in JSON lines: its early attributes, not the late marker.
            #expect(text.contains(#""typed.int64.min":-9223372036854775808"#) && text.contains(#""typed.value":"x"#))
            #expect(!text.contains(Self.typedMarker.key))
            #expect(text.utf8.count < 40 << 20)  // the 10 MB strings were cut, not copied several times over
        }
    }
}
