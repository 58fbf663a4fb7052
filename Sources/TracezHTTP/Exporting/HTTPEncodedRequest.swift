/// One request's worth of a batch: its body, how the body is encoded, and what the encoding
/// needs to read the answer (``HTTPExportEncoding/Part``).
public struct HTTPEncodedRequest<Part: Sendable>: Sendable {
    public var body: [UInt8]
    /// The `Content-Type` header, for example `application/x-protobuf`.
    public var contentType: String
    /// The `Content-Encoding` header, for example `gzip`; `nil` for none.
    public var contentEncoding: String?
    public var part: Part

    public init(body: [UInt8], contentType: String, contentEncoding: String? = nil, part: Part) {
        self.body = body
        self.contentType = contentType
        self.contentEncoding = contentEncoding
        self.part = part
    }
}
