import Foundation
import Tracez
import TracezTestSupport

@testable import TracezHTTP

/// A test encoding for ``HTTPExporter``: one request with one JSON object per span, decoded
/// on the other side with Foundation's JSON parser (not with anything of ours). A 2xx answer
/// accepts the whole batch.
struct JSONLinesEncoding: HTTPExportEncoding {
    func encode(_ batch: [SpanRecord]) throws -> HTTPEncodedBatch<Void> {
        let lines = try batch.map { record -> String in
            let object: [String: Any] = ["name": record.name, "spanId": record.spanID.hexString, "traceId": record.traceID.hexString]
            return String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        }
        return HTTPEncodedBatch(requests: [
            HTTPEncodedRequest(body: Array(lines.joined(separator: "\n").utf8), contentType: "application/x-ndjson", part: ())
        ])
    }

    func outcome(of batch: [SpanRecord], tooLarge: [Int], answers: [(part: Void, result: Result<HTTPResponse, ExportError>)]) -> ExportError? {
        guard case .failure(let error) = answers.first?.result else { return nil }
        return error
    }
}

/// An exporter to `backend` at `/v1/traces` through the real AsyncHTTPClient transport.
func makeExporter(
    to backend: TestBackend,
    headers: [(name: String, value: String)] = [],
    timeout: Duration = .seconds(5)
) throws -> HTTPExporter<JSONLinesEncoding> {
    HTTPExporter(
        endpoint: try HTTPEndpoint(backend.url).appending(path: "/v1/traces"),
        headers: headers,
        timeout: timeout,
        encoding: JSONLinesEncoding()
    )
}
