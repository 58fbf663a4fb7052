import Foundation
import Tracez

extension ExportError {
    /// How a network exporter turns an HTTP answer into a pipeline decision, the same
    /// for every backend: 2xx is success (`nil`); 408, 429, 500, 502, 503 and 504 are
    /// transient (with `Retry-After` read, in seconds or as an HTTP date); anything else
    /// is a refusal, never retried, with the status and the start of the body as the reason.
    public static func classify(_ response: HTTPResponse, now: Date = Date()) -> ExportError? {
        switch response.status {
        case 200..<300:
            return nil
        case 408, 429, 500, 502, 503, 504:
            let retryAfter = response.header("Retry-After").flatMap { RetryAfter.parse($0, now: now) }
            return .transient(reason: "HTTP \(response.status)\(shortReason(response))", retryAfter: retryAfter)
        default:
            return .rejected(status: response.status, reason: "HTTP \(response.status)\(shortReason(response))")
        }
    }

    /// A transport failure is transient: the backend may come back.
    static func classify(_ error: TransportError) -> ExportError {
        .transient(reason: error.description, retryAfter: nil)
    }

    /// The first 200 characters of a text body, on one line: enough to see why, never a flood.
    private static func shortReason(_ response: HTTPResponse) -> String {
        guard !response.body.isEmpty else { return "" }
        let text = String(decoding: response.body.prefix(200), as: UTF8.self)
            .map { $0.isNewline || $0.asciiValue.map { $0 < 0x20 } == true ? " " : String($0) }
            .joined()
            .trimmingCharacters(in: .whitespaces)
        return text.isEmpty ? "" : ": \(text)"
    }
}
