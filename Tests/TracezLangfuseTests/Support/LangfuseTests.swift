import Foundation
import Testing
import Tracez

@testable import TracezLangfuse

/// Every Langfuse suite is nested in this one and runs one test at a time:
/// ``LangfuseValues`` (the mask and the value cap) is process-wide, and an exporter
/// installs its configuration's settings when it is made.
@Suite(.serialized, .timeLimit(.minutes(3))) struct LangfuseTests {}

/// A tracer with one collector and no pipeline: tests read the records themselves.
func makeRecordingTracer(capacity: Int = 1024) throws -> (Tracer, Collector) {
    let collector = try Collector(configuration: CollectorConfiguration(name: "langfuse-tests", capacity: capacity))
    return (Tracer(configuration: TracerConfiguration(serviceName: "langfuse-tests"), collectors: [collector]), collector)
}

extension Collector {
    func takeAll() -> [SpanRecord] {
        let batch = drain(max: capacity)
        let records = batch.records
        batch.markExported()
        return records
    }
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
