import Foundation

/// The `Retry-After` header (RFC 9110, 10.2.3): delay-seconds or an HTTP-date.
///
/// Internal: exporters get it read for them by `ExportError.classify(_:now:)`.
enum RetryAfter {
    /// The wait it asks for; `nil` if the value is neither form. A date in the past is zero.
    static func parse(_ value: String, now: Date = Date()) -> Duration? {
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
