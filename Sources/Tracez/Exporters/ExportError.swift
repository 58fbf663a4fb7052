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
    /// rest were accepted. For a backend that answers a batch with a partial success.
    case partial(rejectedCount: Int, retry: [SpanRecord], reason: String)
    /// The records of the batch fared differently: `dropped` were given up, by reason
    /// (``DropReason/rejectedByBackend`` for a per-record refusal, ``DropReason/tooLarge`` for
    /// one too large to send), `retry` should be sent again (after `retryAfter`, if the
    /// backend asked), and the rest were accepted. What an exporter throws when it sent one
    /// batch as several requests; see ``combining(_:dropped:)``.
    case perRecord(dropped: DropCounts, retry: [SpanRecord], retryAfter: Duration? = nil, reason: String)
}

extension ExportError {
    /// One error for a batch sent as several requests, each given as its records and what
    /// became of them (`nil`: accepted), plus the records given up before any request
    /// (`dropped`). `nil` when every record was accepted.
    ///
    /// A single request's error is returned as it is. A part that failed whole and
    /// transiently is retried whole; when every record is to be retried, the result is
    /// ``transient(reason:retryAfter:)``, which the circuit breaker counts as an outage.
    public static func combining(_ parts: [(records: [SpanRecord], error: ExportError?)], dropped: DropCounts = DropCounts()) -> ExportError? {
        if parts.count == 1, dropped.total == 0 { return parts[0].error }
        var drops = dropped
        var retry: [SpanRecord] = []
        var retryAfter: Duration?
        var reasons: [String] = []
        var accepted = 0
        for (records, error) in parts {
            switch error {
            case nil:
                accepted += records.count
            case .transient(let reason, let after)?:
                retry += records
                if let after { retryAfter = max(retryAfter ?? .zero, after) }
                reasons.append(reason)
            case .rejected(_, let reason)?:
                drops[.rejectedByBackend] += records.count
                reasons.append(reason)
            case .partial(let rejectedCount, let again, let reason)?:
                drops[.rejectedByBackend] += min(rejectedCount, records.count)
                retry += again
                accepted += max(0, records.count - rejectedCount - again.count)
                reasons.append(reason)
            case .perRecord(let partDrops, let again, let after, let reason)?:
                drops = drops + partDrops
                retry += again
                if let after { retryAfter = max(retryAfter ?? .zero, after) }
                accepted += max(0, records.count - partDrops.total - again.count)
                reasons.append(reason)
            }
        }
        if dropped.total > 0 { reasons.insert("\(dropped.total) records too large to send", at: 0) }
        guard !retry.isEmpty || drops.total > 0 else { return nil }
        // Every part refused whole: the batch was refused whole, with the first part's status.
        let refusals = parts.compactMap { part -> (status: Int?, reason: String)? in
            if case .rejected(let status, let reason)? = part.error { return (status, reason) }
            return nil
        }
        if dropped.total == 0, refusals.count == parts.count, let first = refusals.first {
            return .rejected(status: first.status, reason: first.reason)
        }
        let reason = reasons.prefix(3).joined(separator: "; ") + (reasons.count > 3 ? " (and \(reasons.count - 3) more)" : "")
        if drops.total == 0, accepted == 0 { return .transient(reason: reason, retryAfter: retryAfter) }
        return .perRecord(dropped: drops, retry: retry, retryAfter: retryAfter, reason: reason)
    }
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
        case .perRecord(let dropped, let retry, _, let reason):
            "records fared differently: \(dropped.total) dropped (\(dropped)), \(retry.count) to retry: \(reason)"
        }
    }
}
