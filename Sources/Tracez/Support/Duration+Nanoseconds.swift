extension Duration {
    /// Whole nanoseconds, clamped to what `Int64` holds (a `Duration` holds far longer spans:
    /// an hour-long `Retry-After` or a "never" timeout must not overflow).
    package var nanosecondsClamped: Int64 {
        let (seconds, attoseconds) = components
        guard seconds < Int64.max / 1_000_000_000 else { return .max }
        guard seconds > Int64.min / 1_000_000_000 else { return .min }
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    /// Seconds, as a `Double` (for rates, delays with jitter, and JSON).
    package var secondsAsDouble: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
