import Foundation
import Testing
import Tracez

@testable import TracezHTTP

@Suite(.timeLimit(.minutes(3))) struct ResponseClassificationTests {
    /// An HTTP date is ASCII: anything else is refused before Foundation's formatter sees it
    /// (which leaks memory on some such input: the fuzzer's find, Fuzz/Crashes/retry-after).
    @Test func aRetryAfterThatIsNotASCIIIsIgnored() {
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 08:49:37 GMT\u{FFFD}") == nil)
        #expect(RetryAfter.parse(String(decoding: [0xC3, 0x28, 0xFF, 0x20, 0x31] as [UInt8], as: UTF8.self)) == nil)
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 08:49:37 GMT") == .zero)  // a date in the past
    }

    @Test(arguments: [200, 202, 204, 299])
    func successIsNoError(status: Int) {
        if let failure = ExportError.classify(HTTPResponse(status: status)) {
            Issue.record("\(status) classified as \(failure)")
        }
    }

    @Test(arguments: [408, 429, 500, 502, 503, 504])
    func transientStatusesAreRetryable(status: Int) {
        guard let failure = ExportError.classify(HTTPResponse(status: status)), failure.code == .transient else {
            Issue.record("\(status) should be transient")
            return
        }
        #expect(failure.reason.contains("\(status)"))
    }

    @Test(arguments: [400, 401, 403, 404, 413, 422, 501])
    func otherStatusesAreRefusals(status: Int) {
        guard let failure = ExportError.classify(HTTPResponse(status: status, body: Array("nope".utf8))), failure.code == .rejected else {
            Issue.record("\(status) should be a refusal")
            return
        }
        #expect(failure.status == status)
    }

    @Test func reasonIsShortAndOnOneLine() {
        let body = Array(("line one\nline two\u{1}" + String(repeating: "x", count: 10_000)).utf8)
        guard let failure = ExportError.classify(HTTPResponse(status: 400, body: body)), failure.code == .rejected else {
            Issue.record("expected a refusal")
            return
        }
        #expect(!failure.reason.contains("\n"))
        #expect(failure.reason.count < 250)
        #expect(failure.reason.contains("line one line two"))
    }

    @Test func retryAfterSecondsAndHTTPDateAreRead() {
        let now = Date(timeIntervalSince1970: 784_111_777)  // Sun, 06 Nov 1994 08:49:37 GMT
        #expect(RetryAfter.parse("120") == .seconds(120))
        #expect(RetryAfter.parse(" 0 ") == .zero)
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 08:50:07 GMT", now: now) == .seconds(30))
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 08:00:00 GMT", now: now) == .zero)  // in the past
        #expect(RetryAfter.parse("-5") == nil)
        #expect(RetryAfter.parse("soon") == nil)
        #expect(RetryAfter.parse("") == nil)
    }

    @Test func retryAfterHeaderReachesTheTransientError() {
        let response = HTTPResponse(status: 429, headers: [("retry-after", "7")])
        guard let failure = ExportError.classify(response), failure.code == .transient else {
            Issue.record("expected transient")
            return
        }
        #expect(failure.retryAfter == .seconds(7))
    }
}
