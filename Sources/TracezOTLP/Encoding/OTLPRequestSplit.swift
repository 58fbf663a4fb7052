import Tracez

/// A batch encoded as `ExportTraceServiceRequest`s of at most a given size: the whole batch
/// in one when it fits, else halves, halved again until each fits. A record that alone is
/// over the limit is left out and named in ``tooLarge``: a backend could only refuse it.
///
/// Shared by both OTLP transports (HTTP and gRPC), which send ``requests`` one after the other.
package struct OTLPRequestSplit {
    /// Each request's bytes, before compression, and the range of the batch it carries.
    package var requests: [(bytes: [UInt8], records: Range<Int>)] = []
    /// The indices of records too large to send alone.
    package var tooLarge: [Int] = []

    /// - Parameters:
    ///   - batch: The records to send.
    ///   - maxBytes: The largest request, before compression.
    ///   - encode: Encodes records as one request.
    package init(_ batch: [SpanRecord], maxBytes: Int, encode: ([SpanRecord]) throws -> [UInt8]) rethrows {
        var pending: [Range<Int>] = [batch.indices]  // last in, first sent
        while let records = pending.popLast() {
            let bytes = try encode(Array(batch[records]))
            guard bytes.count <= maxBytes else {
                if records.count == 1 {
                    tooLarge.append(records.lowerBound)
                } else {
                    let middle = records.lowerBound + records.count / 2
                    pending.append(middle..<records.upperBound)
                    pending.append(records.lowerBound..<middle)
                }
                continue
            }
            requests.append((bytes: bytes, records: records))
        }
    }
}
