import Tracez

/// A batch of span records in wire form, as ``HTTPExportEncoding/encode(_:)`` makes it: the
/// requests that carry it, and the records that could not be sent.
public struct HTTPEncodedBatch<Part: Sendable>: Sendable {
    /// Sent one after the other, in this order.
    public var requests: [HTTPEncodedRequest<Part>]
    /// Indices, in the batch, of the records left out because they are too large to send
    /// even alone: the backend could only refuse them.
    public var tooLarge: [Int]

    public init(requests: [HTTPEncodedRequest<Part>], tooLarge: [Int] = []) {
        self.requests = requests
        self.tooLarge = tooLarge
    }
}
