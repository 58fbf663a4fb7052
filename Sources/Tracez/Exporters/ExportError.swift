/// How an exporter tells the pipeline what went wrong, so the pipeline can decide
/// between retrying, dropping and counting. Exporters throw it from `export(_:)`.
///
/// Any other error an exporter throws is treated as ``transient(reason:retryAfter:)``:
/// retried within the ``RetryPolicy``, then counted as ``DropReason/exportFailed``.
///
/// A struct with a ``code``, not an enum, so that a later version can add a kind of failure
/// without breaking exporters or code that reads these (as `TransportError` does). Build one
/// with the static functions, match on ``code``, and read what it carries from the
/// properties its code names:
///
/// ```swift
/// throw ExportError.transient(reason: "HTTP 503", retryAfter: .seconds(2))
/// ...
/// if error.code == .rejected { print("refused with status \(error.status ?? 0)") }
/// ```
public struct ExportError: Error, Sendable {
    /// The kind of failure.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case transient, rejected, partial, perRecord
        }

        private let base: Base

        /// Worth trying again later: see ``ExportError/retryAfter``.
        public static let transient = Code(base: .transient)
        /// The backend refused the whole batch for good: see ``ExportError/status``.
        public static let rejected = Code(base: .rejected)
        /// The backend took part of the batch: see ``ExportError/rejectedCount`` and ``ExportError/retry``.
        public static let partial = Code(base: .partial)
        /// The records of the batch fared differently: see ``ExportError/dropped``,
        /// ``ExportError/retry`` and ``ExportError/retryAfter``.
        public static let perRecord = Code(base: .perRecord)

        public var description: String { base.rawValue }
    }

    public let code: Code
    /// Every code: what went wrong, in a few words. Never a header value or a key.
    public let reason: String
    /// ``Code/transient`` and ``Code/perRecord``: the backend's `Retry-After`, if it sent one.
    public let retryAfter: Duration?
    /// ``Code/rejected``: the HTTP status of the refusal, if there was one.
    public let status: Int?
    /// ``Code/partial``: how many records the backend refused for good.
    public let rejectedCount: Int?
    /// ``Code/partial`` and ``Code/perRecord``: the records to send again.
    public let retry: [SpanRecord]?
    /// ``Code/perRecord``: the records given up, by drop reason.
    public let dropped: DropCounts?

    private init(
        _ code: Code,
        reason: String,
        retryAfter: Duration? = nil,
        status: Int? = nil,
        rejectedCount: Int? = nil,
        retry: [SpanRecord]? = nil,
        dropped: DropCounts? = nil
    ) {
        self.code = code
        self.reason = reason
        self.retryAfter = retryAfter
        self.status = status
        self.rejectedCount = rejectedCount
        self.retry = retry
        self.dropped = dropped
    }

    /// Worth trying again later: connection refused or reset, timeout, HTTP 408, 429, 500, 502, 503, 504.
    /// `retryAfter` is the backend's `Retry-After`, if it sent one.
    public static func transient(reason: String, retryAfter: Duration? = nil) -> ExportError {
        ExportError(.transient, reason: reason, retryAfter: retryAfter)
    }
    /// The backend refused the whole batch for good (any other 4xx): never retried,
    /// counted as ``DropReason/rejectedByBackend``.
    public static func rejected(status: Int?, reason: String) -> ExportError {
        ExportError(.rejected, reason: reason, status: status)
    }
    /// The backend took part of the batch: `rejectedCount` records were refused for
    /// good, `retry` should be sent again (a transient per-item failure), and the
    /// rest were accepted. For a backend that answers a batch with a partial success.
    public static func partial(rejectedCount: Int, retry: [SpanRecord], reason: String) -> ExportError {
        ExportError(.partial, reason: reason, rejectedCount: rejectedCount, retry: retry)
    }
    /// The records of the batch fared differently: `dropped` were given up, by reason
    /// (``DropReason/rejectedByBackend`` for a per-record refusal, ``DropReason/tooLarge`` for
    /// one too large to send), `retry` should be sent again (after `retryAfter`, if the
    /// backend asked), and the rest were accepted. What an exporter throws when it sent one
    /// batch as several requests; see ``combining(_:dropped:)``.
    public static func perRecord(dropped: DropCounts, retry: [SpanRecord], retryAfter: Duration? = nil, reason: String) -> ExportError {
        ExportError(.perRecord, reason: reason, retryAfter: retryAfter, retry: retry, dropped: dropped)
    }

    /// The same error with its reason rewritten (to clean a secret out of it), whatever its code.
    package func replacingReason(_ transform: (String) -> String) -> ExportError {
        ExportError(code, reason: transform(reason), retryAfter: retryAfter, status: status, rejectedCount: rejectedCount, retry: retry, dropped: dropped)
    }
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
            guard let error else {
                accepted += records.count
                continue
            }
            switch error.code {
            case .rejected:
                drops[.rejectedByBackend] += records.count
            case .partial:
                let again = error.retry ?? []
                let rejectedCount = error.rejectedCount ?? 0
                drops[.rejectedByBackend] += min(rejectedCount, records.count)
                retry += again
                accepted += max(0, records.count - rejectedCount - again.count)
            case .perRecord:
                let partDrops = error.dropped ?? DropCounts()
                let again = error.retry ?? []
                drops = drops + partDrops
                retry += again
                if let after = error.retryAfter { retryAfter = max(retryAfter ?? .zero, after) }
                accepted += max(0, records.count - partDrops.total - again.count)
            default:
                // .transient, and any code a later version adds: the part is retried whole, as
                // the pipeline retries any error it does not know.
                retry += records
                if let after = error.retryAfter { retryAfter = max(retryAfter ?? .zero, after) }
            }
            reasons.append(error.reason)
        }
        if dropped.total > 0 { reasons.insert("\(dropped.total) records too large to send", at: 0) }
        guard !retry.isEmpty || drops.total > 0 else { return nil }
        // Every part refused whole: the batch was refused whole, with the first part's status.
        let refusals = parts.compactMap { part -> (status: Int?, reason: String)? in
            guard let error = part.error, error.code == .rejected else { return nil }
            return (error.status, error.reason)
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
        switch code {
        case .transient:
            "transient failure: \(reason)" + (retryAfter.map { " (retry after \($0))" } ?? "")
        case .rejected:
            "rejected by backend" + (status.map { " with status \($0)" } ?? "") + ": \(reason)"
        case .partial:
            "partly accepted: \(rejectedCount ?? 0) rejected, \(retry?.count ?? 0) to retry: \(reason)"
        case .perRecord:
            "records fared differently: \((dropped ?? DropCounts()).total) dropped (\(dropped ?? DropCounts())), \(retry?.count ?? 0) to retry: \(reason)"
        default:
            "export failure \(code): \(reason)"
        }
    }
}
