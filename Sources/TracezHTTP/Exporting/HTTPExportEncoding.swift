import Tracez

/// What an ``HTTPExporter`` needs to know about a backend: how a batch of span records
/// becomes requests, and what the answers to those requests mean for the batch.
///
/// The exporter does everything else, the same for every backend: it posts each request
/// with its headers and timeout, turns transport failures and non-2xx statuses into an
/// `ExportError` (`ExportError.classify(_:now:)`), and cleans header values out of the
/// reason of what ``outcome(of:tooLarge:answers:)`` returns.
///
/// Implementation requirements:
/// - ``encode(_:)`` keeps every request within the backend's size limit, and lists the
///   records that cannot be sent because they are too large alone;
/// - ``outcome(of:tooLarge:answers:)`` accounts for every record of the batch: accepted,
///   dropped (`DropReason.tooLarge` for the records `encode` gave up, a refusal as
///   `DropReason.rejectedByBackend`), or handed back to be retried;
/// - both may be called from any task, and neither does I/O other than logging.
public protocol HTTPExportEncoding: Sendable {
    /// What the encoding keeps of one request to read its answer: the records or events it carries.
    associatedtype Part: Sendable

    /// `batch` as requests, in the order they are to be sent. Throwing counts the whole batch
    /// as a failed export.
    func encode(_ batch: [SpanRecord]) throws -> HTTPEncodedBatch<Part>

    /// What became of `batch`; `nil` when every record was accepted.
    ///
    /// - Parameters:
    ///   - batch: The records given to ``encode(_:)``.
    ///   - tooLarge: ``HTTPEncodedBatch/tooLarge`` of the encoded batch.
    ///   - answers: One per request, in the order they were encoded: its part, and either its
    ///     2xx response (whose body may say what became of each record) or the error the whole
    ///     request failed with, a transport failure or a non-2xx status.
    func outcome(
        of batch: [SpanRecord],
        tooLarge: [Int],
        answers: [(part: Part, result: Result<HTTPResponse, ExportError>)]
    ) -> ExportError?
}
