import Foundation
import Tracez
import TracezTestSupport

@testable import TracezOTLP

/// A test encoding for ``HTTPExporter``: one JSON object per span, decoded on the
/// other side with Foundation's JSON parser (not with anything of ours).
@Sendable func encodeJSONLines(_ batch: [SpanRecord]) throws -> HTTPExporter.Body {
    let lines = try batch.map { record -> String in
        let object: [String: Any] = ["name": record.name, "spanId": record.spanID.hexString, "traceId": record.traceID.hexString]
        return String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }
    return HTTPExporter.Body(bytes: Array(lines.joined(separator: "\n").utf8), contentType: "application/x-ndjson")
}

/// An exporter to `backend` at `/v1/traces` through the real AsyncHTTPClient transport.
func makeExporter(to backend: TestBackend, headers: [(name: String, value: String)] = [], timeout: Duration = .seconds(5)) throws -> HTTPExporter {
    HTTPExporter(
        endpoint: try HTTPEndpoint(backend.url).appending(path: "/v1/traces"),
        headers: headers,
        timeout: timeout,
        encode: encodeJSONLines
    )
}
