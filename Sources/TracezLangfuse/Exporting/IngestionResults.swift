import Foundation
import Logging
import Tracez
import TracezOTLP

/// What became of each record of a batch sent as ingestion events, gathered over the
/// batch's requests, and the one ``ExportError`` that tells the pipeline.
///
/// A record is made of one or two events (its observation, and a `trace-create` for a
/// root). It is retried if any of its events failed with a retryable status (5xx, 429,
/// 408, or its whole request failed so), rejected if any was refused for good (another
/// 4xx), and accepted otherwise. Langfuse deduplicates on event ids, so resending a
/// record whose other event got through does no harm.
struct IngestionResults {
    private var retry: Set<Int> = []
    private var rejected: Set<Int> = []
    private var reasons: [String] = []
    private var retryAfter: Duration?
    private var wholeRequestRejection: (status: Int?, reason: String)?

    init(recordCount: Int) {}

    /// A request that failed as a whole: each of its records shares the failure.
    mutating func failWhole(_ events: [IngestionEvent], error: ExportError) {
        let records = Set(events.map(\.record))
        switch error {
        case .transient(let reason, let after):
            retry.formUnion(records)
            reasons.append(reason)
            if let after { retryAfter = max(retryAfter ?? .zero, after) }
        case .rejected(let status, let reason):
            rejected.formUnion(records)
            reasons.append(reason)
            wholeRequestRejection = (status, reason)
        case .partial(_, _, let reason):
            retry.formUnion(records)
            reasons.append(reason)
        }
    }

    /// Reads a 2xx answer: 207 with `successes` and `errors` keyed by event id.
    /// An answer that cannot be read counts as success: the status said so.
    mutating func read(_ response: HTTPResponse, events: [IngestionEvent], logger: Logger) {
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
                    metadata: ["event": "\(error.id)", "status": "\(error.status)", "message": "\(message)"]
                )
            }
        }
    }

    /// `nil` when every record was accepted.
    func error(for records: [SpanRecord]) -> ExportError? {
        let rejectedOnly = rejected.subtracting(retry)
        guard !retry.isEmpty || !rejectedOnly.isEmpty else { return nil }
        let reason = reasons.prefix(3).joined(separator: "; ") + (reasons.count > 3 ? " (and \(reasons.count - 3) more)" : "")
        if rejectedOnly.count == records.count, let whole = wholeRequestRejection {
            return .rejected(status: whole.status, reason: whole.reason)
        }
        if retry.count == records.count, rejectedOnly.isEmpty {
            return .transient(reason: reason, retryAfter: retryAfter)
        }
        return .partial(rejectedCount: rejectedOnly.count, retry: retry.sorted().map { records[$0] }, reason: reason)
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
