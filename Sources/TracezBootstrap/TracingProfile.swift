import Tracez

/// A documented set of collector and export settings for one kind of service, as a starting
/// point: pick the profile whose rate is above your peak, then override any field.
///
/// Each capacity comes from `tracez size` (rate x interval x safety 2, 936 bytes per buffered
/// span with 4 attributes and an event):
///
/// | profile | peak rate | capacity | memory when full | batch | interval |
/// | --- | --- | --- | --- | --- | --- |
/// | ``lowVolume`` | 100 spans/s | 1,000 | 0.9 MiB | 512 | 5 s |
/// | ``default`` | 1,000 spans/s | 2,048 | 1.8 MiB | 512 | 1 s |
/// | ``highThroughput`` | 20,000 spans/s | 40,000 | 35.7 MiB | 2,048 | 1 s |
///
/// A pipeline sends up to `maxConcurrentExports` batches at once (4 by default), so its rate is
/// at most that many `maxBatchSize` batches per round trip: one batch of 2,048 spans per 100 ms
/// is already the 20,000 spans/s of ``highThroughput``.
public struct TracingProfile: Sendable, Hashable {
    /// Records each collector holds before it drops (`CollectorConfiguration.capacity`).
    public var capacity: Int
    /// Records per export request (`ExportConfiguration.maxBatchSize`).
    public var maxBatchSize: Int
    /// Time between exports (`ExportConfiguration.interval`).
    public var interval: Duration
    /// How failed exports are retried (`ExportConfiguration.retry`).
    public var retry: RetryPolicy

    public init(capacity: Int, maxBatchSize: Int, interval: Duration, retry: RetryPolicy = RetryPolicy()) {
        self.capacity = capacity
        self.maxBatchSize = maxBatchSize
        self.interval = interval
        self.retry = retry
    }

    /// Up to 100 spans a second: a command-line tool, a cron job, a small internal service.
    /// Exports every 5 s, so a short-lived program sends one batch at shutdown.
    public static let lowVolume = TracingProfile(capacity: 1_000, maxBatchSize: 512, interval: .seconds(5))

    /// Up to 1,000 spans a second: most services. OpenTelemetry's batch defaults, sized.
    public static let `default` = TracingProfile(capacity: 2_048, maxBatchSize: 512, interval: .seconds(1))

    /// Up to 20,000 spans a second: large batches, and retries that give up sooner (a 15 s
    /// budget per batch, waits of at most 5 s) so a slow backend holds the collector for less time.
    public static let highThroughput = TracingProfile(
        capacity: 40_000,
        maxBatchSize: 2_048,
        interval: .seconds(1),
        retry: RetryPolicy(maxElapsed: .seconds(15), initialDelay: .milliseconds(500), multiplier: 2, maxDelay: .seconds(5))
    )

    /// The collector configuration of this profile, named `name`.
    func collector(named name: String) -> CollectorConfiguration {
        var configuration = CollectorConfiguration(name: name)
        configuration.capacity = capacity
        return configuration
    }

    /// `export` with this profile's batch size, interval and retries.
    func applied(to export: ExportConfiguration) -> ExportConfiguration {
        var export = export
        export.maxBatchSize = maxBatchSize
        export.interval = interval
        export.retry = retry
        return export
    }
}
