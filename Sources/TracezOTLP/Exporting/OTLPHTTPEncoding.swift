import Tracez
import TracezHTTP

/// OTLP/HTTP as an `HTTPExportEncoding`: the batch as an `ExportTraceServiceRequest` in
/// protobuf or JSON, gzip-compressed if configured, and a 2xx answer's `partial_success`
/// read for spans the collector rejected.
///
/// A batch whose encoding is over ``OTLPExporterConfiguration/maxRequestBytes`` is sent in as
/// many requests as it takes: halves, halved again until each fits. A span that alone is
/// over the limit is not sent (`DropReason.tooLarge`): the backend could only refuse it.
///
/// Package-wide rather than public: users hold an ``OTLPHTTPExporter``; Langfuse's `.otel`
/// mode builds its own `HTTPExporter` with it.
package struct OTLPHTTPEncoding: HTTPExportEncoding {
    /// The range of the batch's records a request carries.
    package typealias Part = Range<Int>

    private let encoding: OTLPExporterConfiguration.Encoding
    private let compression: OTLPExporterConfiguration.Compression
    private let maxRequestBytes: Int
    /// The records as request bytes, before compression.
    private let encode: @Sendable ([SpanRecord]) -> [UInt8]
    private let contentType: String

    /// zlib level 1 rather than its default 6: on an OTLP protobuf batch it takes less than
    /// half the time (1.1 µs against 2.7 µs per span) for 41 bytes per span against 40
    /// (benchmarks "gzip level 1/6 of an OTLP protobuf batch", `Docs/Performance.md`).
    /// OTLP bodies are repetitive enough that the faster level keeps nearly all the gain.
    static let gzipLevel: Int32 = 1

    package init(configuration: OTLPExporterConfiguration, resource: OTLPResource, scope: OTLPInstrumentationScope) {
        encoding = configuration.encoding
        compression = configuration.compression
        maxRequestBytes = configuration.maxRequestBytes
        switch configuration.encoding {
        case .protobuf:
            let encoder = OTLPProtobufEncoder(resource: resource, scope: scope)
            encode = { encoder.encode($0) }
            contentType = "application/x-protobuf"
        case .json:
            let encoder = OTLPJSONEncoder(resource: resource, scope: scope)
            encode = { encoder.encode($0) }
            contentType = "application/json"
        }
    }

    package func encode(_ batch: [SpanRecord]) throws -> HTTPEncodedBatch<Range<Int>> {
        let split = OTLPRequestSplit(batch, maxBytes: maxRequestBytes, encode: encode)
        let requests = try split.requests.map { request in
            let body = compression == .gzip ? try Gzip.compress(request.bytes, level: Self.gzipLevel) : request.bytes
            return HTTPEncodedRequest(
                body: body, contentType: contentType, contentEncoding: compression == .gzip ? "gzip" : nil, part: request.records)
        }
        return HTTPEncodedBatch(requests: requests, tooLarge: split.tooLarge)
    }

    package func outcome(
        of batch: [SpanRecord],
        tooLarge: [Int],
        answers: [(part: Range<Int>, result: Result<HTTPResponse, ExportError>)]
    ) -> ExportError? {
        var dropped = DropCounts()
        dropped[.tooLarge] = tooLarge.count
        let parts = answers.map { answer -> (records: [SpanRecord], error: ExportError?) in
            let records = Array(batch[answer.part])
            switch answer.result {
            case .success(let response): return (records, Self.partialSuccess(in: response, encoding: encoding, batchCount: records.count))
            case .failure(let error): return (records, error)
            }
        }
        return ExportError.combining(parts, dropped: dropped)
    }

    /// Reads `ExportTraceServiceResponse.partial_success` from a 2xx answer.
    ///
    /// An answer that cannot be read is taken as full success: the status said so, and
    /// OTLP makes `partial_success` optional. A rejected count larger than the batch is
    /// capped at the batch.
    static func partialSuccess(in response: HTTPResponse, encoding: OTLPExporterConfiguration.Encoding, batchCount: Int) -> ExportError? {
        guard !response.body.isEmpty else { return nil }
        let isJSON = response.header("Content-Type")?.lowercased().contains("json") ?? (encoding == .json)
        let decoded = isJSON ? try? OTLPPartialSuccess.decode(json: response.body) : try? OTLPPartialSuccess.decode(protobuf: response.body)
        return (decoded ?? nil)?.exportError(batchCount: batchCount)
    }
}

extension HTTPExporter where Encoding == OTLPHTTPEncoding {
    /// An OTLP/HTTP exporter as `configuration` says: its endpoint, headers, timeout and encoding.
    package convenience init(
        configuration: OTLPExporterConfiguration,
        resource: OTLPResource,
        scope: OTLPInstrumentationScope,
        transport: any HTTPTransport
    ) {
        self.init(
            endpoint: configuration.endpoint,
            headers: configuration.headers,
            timeout: configuration.timeout,
            transport: transport,
            encoding: OTLPHTTPEncoding(configuration: configuration, resource: resource, scope: scope)
        )
    }
}
