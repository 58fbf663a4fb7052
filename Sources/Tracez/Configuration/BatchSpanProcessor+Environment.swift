extension ExportConfiguration {
    /// Reads the OpenTelemetry batch span processor variables (`OTEL_BSP_*`), as other OTel SDKs do.
    ///
    /// Unset or empty variables keep this type's defaults (which differ from OTel's only in
    /// ``interval``: 1 s here, 5 s there, so traces show up promptly):
    ///
    /// | variable | field | unit |
    /// | --- | --- | --- |
    /// | `OTEL_BSP_SCHEDULE_DELAY` | ``interval`` | milliseconds, more than 0 |
    /// | `OTEL_BSP_MAX_EXPORT_BATCH_SIZE` | ``maxBatchSize`` | records, at least 1 |
    /// | `OTEL_BSP_EXPORT_TIMEOUT` | ``exportTimeout`` | milliseconds, more than 0 |
    ///
    /// `OTEL_BSP_MAX_QUEUE_SIZE` is the collector's capacity: see
    /// ``CollectorConfiguration/init(name:environment:)``.
    ///
    /// - Throws: ``TracezError/invalidEnvironmentVariable(name:value:reason:)`` naming the variable.
    public init(environment: [String: String]) throws(TracezError) {
        self.init()
        if let milliseconds = try EnvironmentNumber.read("OTEL_BSP_SCHEDULE_DELAY", from: environment, atLeast: 1) {
            interval = .milliseconds(milliseconds)
        }
        if let size = try EnvironmentNumber.read("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", from: environment, atLeast: 1) {
            maxBatchSize = size
        }
        if let milliseconds = try EnvironmentNumber.read("OTEL_BSP_EXPORT_TIMEOUT", from: environment, atLeast: 1) {
            exportTimeout = .milliseconds(milliseconds)
        }
    }
}

extension CollectorConfiguration {
    /// A collector named `name` whose capacity is `OTEL_BSP_MAX_QUEUE_SIZE` (records, at
    /// least 1) when set, as the OTel batch span processor's queue; otherwise the default.
    ///
    /// - Throws: ``TracezError/invalidEnvironmentVariable(name:value:reason:)`` naming the variable.
    public init(name: String, environment: [String: String]) throws(TracezError) {
        self.init(name: name)
        if let size = try EnvironmentNumber.read("OTEL_BSP_MAX_QUEUE_SIZE", from: environment, atLeast: 1) {
            capacity = size
        }
    }
}

/// Whole numbers read from environment variables, with errors that name the variable.
package enum EnvironmentNumber {
    /// Past this a value is a typo, not a setting (a billion records or about 11 days in ms).
    package static let maximum = 1_000_000_000

    /// The variable's value as a whole number from `atLeast` to ``maximum``; `nil` when unset or empty.
    package static func read(_ name: String, from environment: [String: String], atLeast minimum: Int) throws(TracezError) -> Int? {
        guard let raw = environment[name]?.trimmingWhitespace(), !raw.isEmpty else { return nil }
        guard let value = Int(raw), value >= minimum, value <= maximum else {
            throw .invalidEnvironmentVariable(
                name: name,
                value: String(raw.prefix(100)),
                reason: "expected a whole number from \(minimum) to \(maximum)"
            )
        }
        return value
    }
}
