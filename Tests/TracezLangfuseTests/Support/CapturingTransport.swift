import Foundation
import OTLPProto
import Synchronization
import Testing
import Tracez
import TracezOTLP
import TracezTestSupport

/// The real transport, keeping a copy of every request for `.ci/interop/langfuse_check.py`:
/// NNNN.body beside NNNN.json (path and headers, the Authorization value left out) and
/// NNNN.expected.json (the spans or events in the request, counted here with the
/// protoc-generated code and Foundation's JSON parser), and `expected.json` with the totals
/// so far (requests, spans, events), rewritten after every request.
///
/// A capture that cannot be written fails the running test and the send: `.ci/run` checks
/// these files, and a capture that silently went missing would let it check nothing.
final class CapturingTransport: HTTPTransport {
    struct Totals {
        var requests = 0
        var spans = 0
        var events = 0
    }

    private let inner = AsyncHTTPClientTransport()
    private let directory: URL
    private let totals = SanitizedMutex(Totals())

    /// Empties `directory` of earlier captures (a rerun must not mix with them) and writes
    /// zero totals, so a test that sends nothing leaves a capture the check refuses.
    init(into directory: URL) throws {
        self.directory = directory
        let fileManager = FileManager.default
        for name in try fileManager.contentsOfDirectory(atPath: directory.path)
        where name == "expected.json" || name.hasSuffix(".body") || (name.first?.isNumber == true && name.hasSuffix(".json")) {
            try fileManager.removeItem(at: directory.appendingPathComponent(name))
        }
        try Self.write(Totals(), to: directory)
    }

    func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
        do {
            try capture(request)
        } catch {
            Issue.record("CapturingTransport could not write the capture of \(request.endpoint.url.path) into \(directory.path): \(error)")
            throw .connectionFailed(reason: "capture not written: \(error)")
        }
        return try await inner.send(request)
    }

    func shutdown() async { await inner.shutdown() }

    private func capture(_ request: HTTPRequest) throws {
        let path = request.endpoint.url.path
        let count: (spans: Int, events: Int)
        if path.hasSuffix("/api/public/ingestion") {
            let object = try JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any]
            guard let batch = object?["batch"] as? [Any] else { throw CaptureError.notABatch }
            count = (0, batch.count)
        } else {
            let gzipped = request.headers.contains { $0.name.lowercased() == "content-encoding" && $0.value == "gzip" }
            let bytes = gzipped ? try gunzip(request.body) : request.body
            let message = try Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceRequest(serializedBytes: bytes)
            count = (message.resourceSpans.flatMap(\.scopeSpans).reduce(0) { $0 + $1.spans.count }, 0)
        }
        var headers: [String: String] = [:]
        for header in request.headers where header.name.lowercased() != "authorization" { headers[header.name] = header.value }
        let meta: [String: Any] = ["path": path, "headers": headers]
        let expected = path.hasSuffix("/api/public/ingestion") ? ["events": count.events] : ["spans": count.spans]

        // Numbered, written and totalled under one lock, so expected.json always matches the files.
        try totals.withLock { totals in
            let number = totals.requests + 1
            let base = directory.appendingPathComponent(String(format: "%04d", number))
            try Data(request.body).write(to: base.appendingPathExtension("body"))
            try JSONSerialization.data(withJSONObject: meta).write(to: base.appendingPathExtension("json"))
            try JSONSerialization.data(withJSONObject: expected).write(to: base.appendingPathExtension("expected.json"))
            var next = totals
            next.requests = number
            next.spans += count.spans
            next.events += count.events
            try Self.write(next, to: directory)
            totals = next
        }
    }

    private static func write(_ totals: Totals, to directory: URL) throws {
        let object = ["requests": totals.requests, "spans": totals.spans, "events": totals.events]
        try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            .write(to: directory.appendingPathComponent("expected.json"), options: .atomic)
    }

    enum CaptureError: Error { case notABatch }
}
