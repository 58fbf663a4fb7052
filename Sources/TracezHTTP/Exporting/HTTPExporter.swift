import Foundation
import Tracez

/// Posts each batch to an HTTP endpoint in the wire form its ``HTTPExportEncoding`` makes,
/// and turns the answers into a pipeline decision.
///
/// The network exporters (OTLP/HTTP, both Langfuse modes) are this exporter with an
/// encoding: the encoding splits a batch into requests and reads per-record results from
/// the answers; the exporter sends, classifies each answer (`ExportError.classify(_:now:)`)
/// and keeps secrets out of what it reports. Retry, backoff and the circuit breaker stay in
/// the `ExportPipeline`.
///
/// Secrets: header values are sent, never logged; if a backend echoes one in its answer,
/// the reason reported to the pipeline shows `[redacted]` in its place.
///
/// Thread-safety: safe to call from any task. Ownership: ``shutdown()`` shuts the transport
/// down; an owner that shares one transport between exporters shuts it down once itself.
public final class HTTPExporter<Encoding: HTTPExportEncoding>: Exporter {
    private let endpoint: HTTPEndpoint
    private let timeout: Duration
    private let encoding: Encoding
    private let headers: [(name: String, value: String)]
    private let redaction: HeaderRedaction
    private let transport: any HTTPTransport

    /// - Parameters:
    ///   - endpoint: Where every request goes.
    ///   - headers: Sent with every request, before `Content-Type` and `Content-Encoding`.
    ///     Their values may be secrets: they never appear in an error or a log line.
    ///   - timeout: The longest one request may take, answer included.
    ///   - transport: Defaults to a pooled AsyncHTTPClient; tests pass their own.
    ///   - encoding: Turns a batch into requests and reads what the backend answered.
    public init(
        endpoint: HTTPEndpoint,
        headers: [(name: String, value: String)] = [],
        timeout: Duration = .seconds(10),
        transport: any HTTPTransport = AsyncHTTPClientTransport(),
        encoding: Encoding
    ) {
        self.endpoint = endpoint
        self.headers = headers
        self.redaction = HeaderRedaction(headers)
        self.timeout = timeout
        self.transport = transport
        self.encoding = encoding
    }

    /// Encodes `batch`, sends its requests one after the other, and throws what the answers
    /// mean for the batch (an `ExportError`), or what encoding threw.
    public func export(_ batch: [SpanRecord]) async throws {
        let encoded = try encoding.encode(batch)
        var answers: [(part: Encoding.Part, result: Result<HTTPResponse, ExportError>)] = []
        answers.reserveCapacity(encoded.requests.count)
        for request in encoded.requests {
            answers.append((part: request.part, result: await send(request)))
        }
        if let failure = encoding.outcome(of: batch, tooLarge: encoded.tooLarge, answers: answers) {
            throw redaction.clean(failure)
        }
    }

    public func shutdown() async {
        await transport.shutdown()
    }

    /// Posts one request: its 2xx response, or why the whole request failed.
    private func send(_ encoded: HTTPEncodedRequest<Encoding.Part>) async -> Result<HTTPResponse, ExportError> {
        var requestHeaders = headers
        requestHeaders.append((name: "Content-Type", value: encoded.contentType))
        if let contentEncoding = encoded.contentEncoding {
            requestHeaders.append((name: "Content-Encoding", value: contentEncoding))
        }
        let request = HTTPRequest(method: "POST", endpoint: endpoint, headers: requestHeaders, body: encoded.body, timeout: timeout)
        do {
            let response = try await transport.send(request)
            if let failure = ExportError.classify(response) { return .failure(failure) }
            return .success(response)
        } catch {
            return .failure(ExportError.classify(error))
        }
    }
}

extension HTTPExporter: CustomStringConvertible, CustomReflectable {
    /// The endpoint and the header names, never their values.
    public var description: String {
        "HTTPExporter(\(endpoint), headers: [\(headers.map(\.name).joined(separator: ", "))])"
    }

    /// The description only, so `dump` and debuggers show no header value either (they would
    /// otherwise walk the stored headers: the conformance check's find).
    public var customMirror: Mirror {
        Mirror(self, children: ["description": description], displayStyle: .class)
    }
}
