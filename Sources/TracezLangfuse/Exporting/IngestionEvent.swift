import Foundation
import Tracez

/// One event of Langfuse's legacy ingestion API (`POST /api/public/ingestion`): the
/// envelope `{id, timestamp, type, body}` and which record it came from.
///
/// Event ids are derived from the record (`<span id>-<type>`), so an event sent again
/// after a failure is the same event to Langfuse, which deduplicates on the id.
struct IngestionEvent: Sendable {
    let id: String
    let type: String
    let body: JSONValue
    /// The index, in the batch, of the record this event was made from.
    let record: Int

    /// The whole event as JSON text.
    func jsonText(timestamp: String) -> String {
        JSONValue.object([
            "id": .string(id),
            "timestamp": .string(timestamp),
            "type": .string(type),
            "body": body,
        ]).jsonText
    }

    /// A request body: `{"batch":[event, …]}` from the events' JSON texts.
    static func batchBody(_ texts: [String]) -> [UInt8] {
        Array("{\"batch\":[\(texts.joined(separator: ","))]}".utf8)
    }
}
