import Foundation
import Tracez

/// Posts each batch to an HTTP endpoint in whatever encoding it is given, and turns
/// the answer into a pipeline decision (``ExportError/classify(_:now:)``).
///
/// The network exporters (OTLP, Langfuse) are this plus an encoding: retry, backoff
/// and the circuit breaker stay in the ``ExportPipeline``.
///
/// Secrets: header values are sent, never logged; if a backend echoes one in its
/// answer, the reason reported to the pipeline shows `[redacted]` in its place.
///
/// Thread-safety: safe to call from any task.
public final class HTTPExporter: Exporter {
    /// A batch in wire form.
    public struct Body: Sendable {
        public var bytes: [UInt8]
        public var contentType: String
        /// For example `gzip`; `nil` for none.
        public var contentEncoding: String?

        public init(bytes: [UInt8], contentType: String, contentEncoding: String? = nil) {
            self.bytes = bytes
            self.contentType = contentType
            self.contentEncoding = contentEncoding
        }
    }

    public let endpoint: HTTPEndpoint
    public let timeout: Duration
    private let headers: [(name: String, value: String)]
    private let transport: any HTTPTransport
    private let encode: @Sendable ([SpanRecord]) throws -> Body
    private let interpret: @Sendable (HTTPResponse, [SpanRecord]) -> ExportError?

    /// - Parameters:
    ///   - encode: Turns a batch into a request body. Throwing counts the batch as a failed export.
    ///   - interpret: Reads a 2xx answer for per-record results (OTLP partial success,
    ///     Langfuse 207); `nil` when the whole batch was accepted. Non-2xx answers are
    ///     classified before it is called.
    public init(
        endpoint: HTTPEndpoint,
        headers: [(name: String, value: String)] = [],
        timeout: Duration = .seconds(10),
        transport: any HTTPTransport = AsyncHTTPClientTransport(),
        encode: @escaping @Sendable ([SpanRecord]) throws -> Body,
        interpret: @escaping @Sendable (HTTPResponse, [SpanRecord]) -> ExportError? = { _, _ in nil }
    ) {
        self.endpoint = endpoint
        self.headers = headers
        self.timeout = timeout
        self.transport = transport
        self.encode = encode
        self.interpret = interpret
    }

    public func export(_ batch: [SpanRecord]) async throws {
        try await send(encode(batch), for: batch)
    }

    /// Posts `body`, the encoded `batch`, and throws what the answer means for the batch.
    public func send(_ body: Body, for batch: [SpanRecord]) async throws {
        var requestHeaders = headers
        requestHeaders.append((name: "Content-Type", value: body.contentType))
        if let encoding = body.contentEncoding {
            requestHeaders.append((name: "Content-Encoding", value: encoding))
        }
        let request = HTTPRequest(method: "POST", endpoint: endpoint, headers: requestHeaders, body: body.bytes, timeout: timeout)
        let response: HTTPResponse
        do {
            response = try await transport.send(request)
        } catch {
            throw ExportError.classify(error)
        }
        if let failure = ExportError.classify(response) ?? interpret(response, batch) {
            throw redactingSecrets(in: failure)
        }
    }

    public func shutdown() async {
        await transport.shutdown()
    }

    /// Replaces any header value (keys, tokens) that a backend echoed into a reason.
    private func redactingSecrets(in error: ExportError) -> ExportError {
        func clean(_ text: String) -> String {
            headers.reduce(text) { text, header in
                header.value.count >= 4 ? text.replacingOccurrences(of: header.value, with: "[redacted]") : text
            }
        }
        switch error {
        case .transient(let reason, let retryAfter): return .transient(reason: clean(reason), retryAfter: retryAfter)
        case .rejected(let status, let reason): return .rejected(status: status, reason: clean(reason))
        case .partial(let rejectedCount, let retry, let reason): return .partial(rejectedCount: rejectedCount, retry: retry, reason: clean(reason))
        case .perRecord(let dropped, let retry, let retryAfter, let reason):
            return .perRecord(dropped: dropped, retry: retry, retryAfter: retryAfter, reason: clean(reason))
        }
    }
}

extension HTTPExporter: CustomStringConvertible {
    /// The endpoint and the header names, never their values.
    public var description: String {
        "HTTPExporter(\(endpoint), headers: [\(headers.map(\.name).joined(separator: ", "))])"
    }
}
