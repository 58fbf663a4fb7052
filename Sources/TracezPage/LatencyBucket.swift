/// The page's latency histogram: fixed decades from 10 µs to 10 s, as OpenCensus zPages drew it.
///
/// Fixed, not adaptive, so that two processes' pages (and two refreshes of one) read alike.
enum LatencyBucket: Int, CaseIterable, Sendable, Codable {
    case under10Microseconds
    case under100Microseconds
    case under1Millisecond
    case under10Milliseconds
    case under100Milliseconds
    case under1Second
    case under10Seconds
    case atLeast10Seconds

    /// The bucket of a span that lasted `nanoseconds`.
    init(nanoseconds: UInt64) {
        var bound: UInt64 = 10_000
        for bucket in LatencyBucket.allCases.dropLast() {
            if nanoseconds < bound {
                self = bucket
                return
            }
            bound *= 10
        }
        self = .atLeast10Seconds
    }

    /// The column heading: `<10µs` … `≥10s`.
    var label: String {
        switch self {
        case .under10Microseconds: "<10µs"
        case .under100Microseconds: "<100µs"
        case .under1Millisecond: "<1ms"
        case .under10Milliseconds: "<10ms"
        case .under100Milliseconds: "<100ms"
        case .under1Second: "<1s"
        case .under10Seconds: "<10s"
        case .atLeast10Seconds: "≥10s"
        }
    }
}
