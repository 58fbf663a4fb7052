import Foundation
import Logging
import Tracez
import TracezHTTP

/// What became of each record of a batch sent as ingestion events, gathered over the
/// batch's requests, and the one `ExportError` that tells the pipeline.
///
/// A record is made of one or two events (its observation, and a `trace-create` for a
/// root), which may travel in different requests. Its outcome does not depend on which of
/// its requests failed first:
/// - too large: one of its events is larger than a request may be; nothing of it is sent;
/// - rejected: any of its events was refused for good (a 4xx other than 408 and 429, for
///   the event or its whole request); it is not sent again, even if another of its events
///   failed transiently;
/// - retried: otherwise, if any of its events failed with a retryable status (5xx, 429,
///   408, or its whole request failed so). Langfuse deduplicates on event ids, so resending
///   a record whose other event got through does no harm;
/// - exported: every one of its events was accepted.
struct IngestionResults {
    private var retry: Set<Int> = []
    private var rejected: Set<Int> = []
    private var tooLarge: Set<Int> = []
    private var reasons: [String] = []
    private var retryAfter: Duration?
    private var wholeRequestRejection: (status: Int?, reason: String)?

    init(recordCount: Int) {}

    /// Records with an event too large to send: none of their events is sent.
    mutating func markTooLarge(_ records: Set<Int>, limit: Int) {
        guard !records.isEmpty else { return }
        tooLarge.formUnion(records)
        reasons.append("\(records.count) records have an event over \(limit) bytes")
    }

    /// A request that failed as a whole: each of its records shares the failure.
    mutating func failWhole(_ events: [IngestionEvent], error: ExportError) {
        let records = Set(events.map(\.record))
        switch error.code {
        case .transient:
            retry.formUnion(records)
            reasons.append(error.reason)
            if let after = error.retryAfter { retryAfter = max(retryAfter ?? .zero, after) }
        case .rejected:
            rejected.formUnion(records)
            reasons.append(error.reason)
            wholeRequestRejection = (error.status, error.reason)
        default:  // .partial, .perRecord, and any code a later version adds
            retry.formUnion(records)
            reasons.append(error.reason)
        }
    }

    /// Reads a 2xx answer: 207 with `successes` and `errors` keyed by event id.
    /// An answer that cannot be read counts as success: the status said so. The logged message
    /// is cleaned of header values, as the reasons are by the exporter.
    mutating func read(_ response: HTTPResponse, events: [IngestionEvent], logger: Logger, redaction: HeaderRedaction = HeaderRedaction([])) {
        guard let answer = try? JSONDecoder().decode(Answer.self, from: Data(response.body)), let errors = answer.errors, !errors.isEmpty else {
            return
        }
        var recordOf: [String: Int] = [:]
        for event in events { recordOf[event.id] = event.record }
        for error in errors {
            guard let record = recordOf[error.id] else { continue }
            let message = String((error.message ?? "no message").prefix(200))
            if error.status >= 500 || error.status == 429 || error.status == 408 {
                retry.insert(record)
                reasons.append("event \(error.id): \(error.status) \(message)")
            } else {
                rejected.insert(record)
                reasons.append("event \(error.id): \(error.status) \(message)")
                logger.warning(
                    "[Tracez] Langfuse refused an event",
                    metadata: ["event": "\(error.id)", "status": "\(error.status)", "message": "\(redaction.clean(message))"]
                )
            }
        }
    }

    /// `nil` when every record was accepted.
    func error(for records: [SpanRecord]) -> ExportError? {
        let tooLargeOnly = tooLarge
        let rejectedOnly = rejected.subtracting(tooLargeOnly)
        let retryOnly = retry.subtracting(rejected).subtracting(tooLargeOnly)  // a refusal is final
        guard !retryOnly.isEmpty || !rejectedOnly.isEmpty || !tooLargeOnly.isEmpty else { return nil }
        let reason = reasons.prefix(3).joined(separator: "; ") + (reasons.count > 3 ? " (and \(reasons.count - 3) more)" : "")
        if rejectedOnly.count == records.count, let whole = wholeRequestRejection {
            return .rejected(status: whole.status, reason: whole.reason)
        }
        if retryOnly.count == records.count {
            return .transient(reason: reason, retryAfter: retryAfter)
        }
        var dropped = DropCounts()
        dropped[.rejectedByBackend] = rejectedOnly.count
        dropped[.tooLarge] = tooLargeOnly.count
        return .perRecord(dropped: dropped, retry: retryOnly.sorted().map { records[$0] }, retryAfter: retryAfter, reason: reason)
    }

    private struct Answer: Decodable {
        struct Failure: Decodable {
            let id: String
            let status: Int
            let message: String?
        }

        let errors: [Failure]?
    }
}
