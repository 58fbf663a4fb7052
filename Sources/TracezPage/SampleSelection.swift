/// Which of a span name's samples to show: one latency bucket's, or those with an error status.
enum SampleSelection: Sendable, Hashable {
    case latency(LatencyBucket)
    case errors
}
