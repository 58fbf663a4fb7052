import Foundation
import Testing
import Tracez
import TracezHTTP

@testable import TracezLangfuse

/// Every Langfuse suite is nested in this one, and runs one test at a time. Not for shared
/// state (each test builds its own tracer, and value settings and counters belong to that
/// tracer's Langfuse exporter) but for load: several tests send 10 MB values and 10,000
/// events, and run together under Thread Sanitizer on two cores they starved the tests of
/// other targets, whose exports to loopback then outlived their 5 s timeout and were retried.
@Suite(.serialized, .timeLimit(.minutes(3))) struct LangfuseTests {}

/// Answers every request with a 503: for exporters whose pipeline never runs, so that
/// nothing is sent and no HTTP client is made.
struct NeverSendsTransport: HTTPTransport {
    func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
        HTTPResponse(status: 503, headers: [], body: [])
    }

    func shutdown() async {}
}

/// A Langfuse exporter with these value settings, on a transport that never sends.
func makeLangfuseExporter(
    mask: (@Sendable (JSONValue) -> JSONValue)? = nil,
    maxValueBytes: Int = LangfuseConfiguration.defaultMaxValueBytes,
    maxValueDepth: Int = JSONValue.defaultMaxDepth,
    environment: String? = nil,
    release: String? = nil
) throws -> LangfuseExporter {
    let configuration = try LangfuseConfiguration(
        publicKey: "pk-lf-tests",
        secretKey: "sk-lf-tests",
        baseURL: HTTPEndpoint("http://127.0.0.1:9"),
        environment: environment,
        release: release,
        mask: mask,
        maxValueBytes: maxValueBytes,
        maxValueDepth: maxValueDepth
    )
    return LangfuseExporter(configuration: configuration, transport: NeverSendsTransport())
}

/// A tracer with one pipeline per exporter, never run: tests read the records from the
/// returned collector, the first pipeline's (every pipeline's collector receives every record).
func makeLangfuseTracer(exporters: [LangfuseExporter], capacity: Int = 1024, limits: SpanLimits = SpanLimits()) throws -> (Tracer, Collector) {
    let pipelines = try exporters.enumerated().map { index, exporter in
        try ExportPipeline(
            collector: Collector(configuration: CollectorConfiguration(name: "langfuse-\(index)", capacity: capacity)),
            exporter: exporter,
            configuration: ExportConfiguration(maxBatchSize: capacity, interval: .seconds(3600))
        )
    }
    return (Tracer(configuration: TracerConfiguration(serviceName: "langfuse-tests", limits: limits), pipelines: pipelines), pipelines[0].collector)
}

/// A tracer exporting through one Langfuse exporter with these value settings (see
/// ``makeLangfuseExporter(mask:maxValueBytes:maxValueDepth:environment:release:)``).
func makeLangfuseTracer(
    mask: (@Sendable (JSONValue) -> JSONValue)? = nil,
    maxValueBytes: Int = LangfuseConfiguration.defaultMaxValueBytes,
    maxValueDepth: Int = JSONValue.defaultMaxDepth,
    environment: String? = nil,
    limits: SpanLimits = SpanLimits()
) throws -> (Tracer, Collector, LangfuseExporter) {
    let exporter = try makeLangfuseExporter(mask: mask, maxValueBytes: maxValueBytes, maxValueDepth: maxValueDepth, environment: environment)
    let (tracer, collector) = try makeLangfuseTracer(exporters: [exporter], limits: limits)
    return (tracer, collector, exporter)
}

/// The deprecated trace input and output setters, reached through a protocol so that calling
/// them warns no one: they are still sent, for Langfuse servers before v4, and tests check that.
protocol SetsTraceInputAndOutput {
    func setTraceInput(_ value: some Encodable)
    func setTraceOutput(_ value: some Encodable)
}

extension Observation: SetsTraceInputAndOutput {}

/// An `Encodable` that refuses to be encoded, as a value with a broken `encode(to:)` does.
struct Refuses: Encodable {
    struct Refusal: Error {}
    func encode(to encoder: any Encoder) throws { throw Refusal() }
}

extension SpanRecord {
    func string(_ key: String) -> String? {
        if case .string(let value)? = attributes.get(key) { return value }
        return nil
    }

    /// The value of a typed setter's attribute: JSON text read as JSON, and a string, which is
    /// sent as itself, as the string (as Langfuse and the ingestion encoder read them).
    func json(_ key: String) -> Any? {
        string(key).map { text in (try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])) ?? text }
    }
}

/// Where captured requests go for the Python checks in `.ci/run` (`TRACEZ_CAPTURE_DIR`),
/// or a temporary directory.
func captureDirectory(_ name: String) throws -> URL {
    let root =
        ProcessInfo.processInfo.environment["TRACEZ_CAPTURE_DIR"].map { URL(fileURLWithPath: $0) }
        ?? FileManager.default.temporaryDirectory.appendingPathComponent("tracez-captures-\(getpid())")
    let directory = root.appendingPathComponent("langfuse").appendingPathComponent(name)
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory
}
