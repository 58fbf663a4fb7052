/// The W3C `traceparent` header: `version-traceid-parentid-flags`.
///
/// Parsing follows W3C Trace Context level 1: lowercase hex only, no all-zero
/// ids, version `ff` is invalid, and a version above `00` may carry more
/// fields after a `-`, which are ignored. Anything else is rejected: the
/// caller then starts a new trace, as the spec asks.
public struct TraceParent: Hashable, Sendable {
    public var traceID: TraceID
    public var parentID: SpanID
    public var traceFlags: TraceFlags

    public init(traceID: TraceID, parentID: SpanID, traceFlags: TraceFlags) {
        self.traceID = traceID
        self.parentID = parentID
        self.traceFlags = traceFlags
    }

    /// Parses a header value; `nil` if it is malformed.
    public init?(header: String) {
        let bytes = Array(header.utf8)
        // 2 + 1 + 32 + 1 + 16 + 1 + 2
        guard bytes.count >= 55 else { return nil }
        func isLowerHex(_ range: Range<Int>) -> Bool {
            bytes[range].allSatisfy {
                (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0)
            }
        }
        guard isLowerHex(0..<2), isLowerHex(3..<35), isLowerHex(36..<52), isLowerHex(53..<55),
            bytes[2] == UInt8(ascii: "-"), bytes[35] == UInt8(ascii: "-"), bytes[52] == UInt8(ascii: "-")
        else { return nil }
        guard let version = Hex.parse(bytes[0..<2]), version != 0xFF else { return nil }
        if version == 0 {
            guard bytes.count == 55 else { return nil }
        } else if bytes.count > 55 {
            guard bytes[55] == UInt8(ascii: "-") else { return nil }
        }
        guard let high = Hex.parse(bytes[3..<19]), let low = Hex.parse(bytes[19..<35]),
            let parent = Hex.parse(bytes[36..<52]), let flags = Hex.parse(bytes[53..<55])
        else { return nil }
        let traceID = TraceID(high: high, low: low)
        guard traceID.isValid, parent != 0 else { return nil }
        self.init(traceID: traceID, parentID: SpanID(parent), traceFlags: TraceFlags(rawValue: UInt8(flags)))
    }

    /// The header value, version `00`.
    public var headerValue: String {
        var flags: [UInt8] = []
        Hex.append(UInt64(traceFlags.rawValue), nibbles: 2, to: &flags)
        return "00-\(traceID.hexString)-\(parentID.hexString)-\(String(decoding: flags, as: UTF8.self))"
    }
}
