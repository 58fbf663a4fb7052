import Foundation
import Tracez

/// The legacy ingestion API's request body for a batch of records, as ``LangfuseExporter``
/// sends it in `.ingestion` mode (and for scores): `{"batch": [event, …]}`.
///
/// Benchmarks SPI (`@_spi(Benchmarks) import TracezLangfuse`): not part of the API users
/// write; public only so that Benchmarks/ can measure the encoding on its own. One
/// request's worth: splitting is the exporter's.
///
/// Thread-safety: a value with no mutable state; safe from any number of tasks at once.
@_spi(Benchmarks) public struct LangfuseIngestionEncoder: Sendable {
    private let encoder: IngestionEncoder

    /// - Parameters:
    ///   - sendsNewObservationTypes: `agent-create`, … rather than `span-create` with the type in metadata.
    ///   - environment, release: For events that carry none of their own.
    public init(sendsNewObservationTypes: Bool = false, environment: String? = nil, release: String? = nil) {
        encoder = IngestionEncoder(sendsNewObservationTypes: sendsNewObservationTypes, environment: environment, release: release)
    }

    /// The number of events `records` become (one per observation or score, plus one per root).
    public func eventCount(_ records: [SpanRecord]) -> Int {
        encoder.events(for: records).count
    }

    /// `{"batch": [...]}` for `records`, UTF-8 JSON.
    public func encode(_ records: [SpanRecord], timestamp: Date = Date()) -> [UInt8] {
        let time = LangfuseTime.iso8601(timestamp)
        return IngestionEvent.batchBody(encoder.events(for: records).map { $0.jsonText(timestamp: time) })
    }
}
