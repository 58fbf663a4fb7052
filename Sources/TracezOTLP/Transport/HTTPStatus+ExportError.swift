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
    public static func classify(_ error: TransportError) -> ExportError {
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

/// The `Retry-After` header (RFC 9110, 10.2.3): delay-seconds or an HTTP-date.
public enum RetryAfter {
    /// The wait it asks for; `nil` if the value is neither form. A date in the past is zero.
    public static func parse(_ value: String, now: Date = Date()) -> Duration? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Int(trimmed) {
            return seconds >= 0 ? .seconds(seconds) : nil
        }
        // An HTTP date is ASCII. Anything else never reaches Foundation's formatter, which leaks
        // memory on some such input (found by the fuzzer: Fuzz/Crashes/retry-after).
        guard trimmed.utf8.allSatisfy({ $0 < 0x80 }),
            let date = makeHTTPDateFormatter().date(from: trimmed)
        else { return nil }
        let interval = date.timeIntervalSince(now)
        return interval > 0 ? .milliseconds(Int64(interval * 1000)) : .zero
    }

    // IMF-fixdate, the form HTTP/1.1 senders must use: "Sun, 06 Nov 1994 08:49:37 GMT".
    // A new formatter per call: the header is rare, and this needs no shared mutable state.
    private static func makeHTTPDateFormatter() -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter
    }
}
