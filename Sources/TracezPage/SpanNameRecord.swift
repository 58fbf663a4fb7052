import Tracez

/// What the page keeps for one span name: counts, histogram and a few sample spans.
///
/// A value, owned by the page's locked state.
struct SpanNameRecord {
    var count = 0
    var errors = 0
    var latency = [Int](repeating: 0, count: LatencyBucket.allCases.count)
    /// The most recent spans of each bucket, oldest first.
    var samples = [[SpanRecord]](repeating: [], count: LatencyBucket.allCases.count)
    /// The most recent spans with an error status, oldest first.
    var errorSamples: [SpanRecord] = []

    mutating func add(_ span: SpanRecord, samplesPerBucket: Int, errorSamples errorLimit: Int) {
        count += 1
        let bucket = LatencyBucket(nanoseconds: span.durationNanoseconds).rawValue
        latency[bucket] += 1
        Self.keep(span, in: &samples[bucket], limit: samplesPerBucket)
        if span.isError {
            errors += 1
            Self.keep(span, in: &errorSamples, limit: errorLimit)
        }
    }

    private static func keep(_ span: SpanRecord, in list: inout [SpanRecord], limit: Int) {
        guard limit > 0 else { return }
        if list.count >= limit { list.removeFirst(list.count - limit + 1) }
        list.append(span)
    }

    func summary(name: String) -> SpanNameSummary {
        SpanNameSummary(
            name: name,
            count: count,
            errors: errors,
            latency: latency,
            samples: samples.map(\.count),
            errorSamples: errorSamples.count
        )
    }
}
