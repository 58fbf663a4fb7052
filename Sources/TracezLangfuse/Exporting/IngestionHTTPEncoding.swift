import Foundation
import Logging
import Tracez
import TracezHTTP

/// Langfuse's legacy ingestion API as an `HTTPExportEncoding`: the batch as JSON batches of
/// ingestion events for `POST {baseURL}/api/public/ingestion`, and each request's answer (a
/// 207 with `successes` and `errors`) read event by event.
///
/// A record with an event over ``IngestionEncoder/maxEventBytes`` (after its largest fields
/// gave way to markers) is not sent (`DropReason.tooLarge`). Requests stay under
/// ``maxRequestBytes``, events in input order, so a record's two events (a root's
/// `trace-create` and its observation) may travel in different requests;
/// ``IngestionResults`` decides what became of each record over all of them.
struct IngestionHTTPEncoding: HTTPExportEncoding {
    /// The events a request carries.
    typealias Part = [IngestionEvent]

    let encoder: IngestionEncoder
    /// Where refused events are reported, their message cleaned of header values.
    let logger: Logger
    let redaction: HeaderRedaction

    /// Requests to the ingestion endpoint stay under this many bytes (Langfuse documents
    /// 3.5 MB and refuses over 4.5 MB with 413).
    static let maxRequestBytes = 3_500_000

    func encode(_ batch: [SpanRecord]) -> HTTPEncodedBatch<[IngestionEvent]> {
        let timestamp = LangfuseTime.iso8601(Date())
        var events = encoder.events(for: batch).map { ($0, $0.jsonText(timestamp: timestamp)) }
        let tooLarge = Set(events.filter { $0.1.utf8.count > IngestionEncoder.maxEventBytes }.map(\.0.record))
        events.removeAll { tooLarge.contains($0.0.record) }
        let requests = Self.split(events).map { request in
            HTTPEncodedRequest(
                body: IngestionEvent.batchBody(request.map(\.1)),
                contentType: "application/json",
                part: request.map(\.0)
            )
        }
        return HTTPEncodedBatch(requests: requests, tooLarge: tooLarge.sorted())
    }

    func outcome(
        of batch: [SpanRecord],
        tooLarge: [Int],
        answers: [(part: [IngestionEvent], result: Result<HTTPResponse, ExportError>)]
    ) -> ExportError? {
        var results = IngestionResults(recordCount: batch.count)
        results.markTooLarge(Set(tooLarge), limit: IngestionEncoder.maxEventBytes)
        for answer in answers {
            switch answer.result {
            case .success(let response): results.read(response, events: answer.part, logger: logger, redaction: redaction)
            // The whole request failed: its records share the failure.
            case .failure(let error): results.failWhole(answer.part, error: error)
            }
        }
        return results.error(for: batch)
    }

    /// Groups events into requests under ``maxRequestBytes``, keeping input order.
    static func split(_ events: [(IngestionEvent, String)]) -> [[(IngestionEvent, String)]] {
        var requests: [[(IngestionEvent, String)]] = []
        var current: [(IngestionEvent, String)] = []
        var size = 12
        for event in events {
            let bytes = event.1.utf8.count + 1
            if !current.isEmpty, size + bytes > maxRequestBytes {
                requests.append(current)
                current = []
                size = 12
            }
            current.append(event)
            size += bytes
        }
        if !current.isEmpty { requests.append(current) }
        return requests
    }
}
