/// How an exporter tells the pipeline what went wrong, so the pipeline can decide
/// between retrying, dropping and counting. Exporters throw it from `export(_:)`.
///
/// Any other error an exporter throws is treated as ``transient(reason:retryAfter:)``:
/// retried within the ``RetryPolicy``, then counted as ``DropReason/exportFailed``.
public enum ExportError: Error, Sendable {
    /// Worth trying again later: connection refused or reset, timeout, HTTP 408, 429, 500, 502, 503, 504.
    /// `retryAfter` is the backend's `Retry-After`, if it sent one.
    case transient(reason: String, retryAfter: Duration? = nil)
    /// The backend refused the whole batch for good (any other 4xx): never retried,
    /// counted as ``DropReason/rejectedByBackend``.
    case rejected(status: Int?, reason: String)
    /// The backend took part of the batch: `rejectedCount` records were refused for
    /// good, `retry` should be sent again (a transient per-item failure), and the
    /// rest were accepted. Used for OTLP partial success and Langfuse's 207.
    case partial(rejectedCount: Int, retry: [SpanRecord], reason: String)
}

extension ExportError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .transient(let reason, let retryAfter):
            "transient failure: \(reason)" + (retryAfter.map { " (retry after \($0))" } ?? "")
        case .rejected(let status, let reason):
            "rejected by backend" + (status.map { " with status \($0)" } ?? "") + ": \(reason)"
        case .partial(let rejectedCount, let retry, let reason):
            "partly accepted: \(rejectedCount) rejected, \(retry.count) to retry: \(reason)"
        }
    }
}
