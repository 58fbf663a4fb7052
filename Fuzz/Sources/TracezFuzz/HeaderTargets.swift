import Foundation
import Tracez

// RetryAfter is internal: exporters get it through ExportError.classify.
@testable import TracezHTTP

// Headers from other processes: `traceparent` and `tracestate` on incoming requests,
// `Retry-After` on a backend's answer.

/// Parses any bytes as a `traceparent`; what parses must print and parse back to itself.
func fuzzTraceParent(_ bytes: [UInt8]) {
    let header = String(decoding: bytes, as: UTF8.self)
    guard let parsed = TraceParent(header: header) else { return }
    let printed = parsed.headerValue
    precondition(TraceParent(header: printed) == parsed, "traceparent \(header.debugDescription) printed as \(printed) does not parse back")
}

/// Parses any bytes as a `tracestate`; what is kept must print and parse back to itself, 32 members at most.
func fuzzTraceState(_ bytes: [UInt8]) {
    let header = String(decoding: bytes, as: UTF8.self)
    let parsed = TraceState(header: header)
    precondition(parsed.entries.count <= TraceState.maximumEntries, "tracestate kept \(parsed.entries.count) members")
    let printed = parsed.headerValue
    precondition(TraceState(header: printed) == parsed, "tracestate \(header.debugDescription) printed as \(printed.debugDescription) does not parse back")
}

/// Parses any bytes as a `Retry-After` value at a fixed "now"; a wait is never negative.
func fuzzRetryAfter(_ bytes: [UInt8]) {
    let value = String(decoding: bytes, as: UTF8.self)
    // 2023-11-14T22:13:20Z: fixed, so a crash reproduces whatever the day.
    let now = Date(timeIntervalSince1970: 1_700_000_000)
    guard let wait = RetryAfter.parse(value, now: now) else { return }
    precondition(wait >= .zero, "Retry-After \(value.debugDescription) gave a negative wait \(wait)")
}
