import GRPCCore

/// Hands gRPC the request bytes Tracez's own protobuf encoder wrote, as they are.
///
/// The OTLP request is encoded by `OTLPProtobufEncoder` (12x faster than the same request
/// built with swift-protobuf's generated types, `Docs/Performance.md`), so there are no
/// generated message types: the "message" gRPC serializes is already its bytes.
struct RawMessageSerializer: MessageSerializer {
    func serialize<Bytes: GRPCContiguousBytes>(_ message: [UInt8]) throws -> Bytes {
        Bytes(message)
    }
}

/// Gives back the response message's bytes, for `OTLPPartialSuccess.decode(protobuf:)` to read.
struct RawMessageDeserializer: MessageDeserializer {
    func deserialize<Bytes: GRPCContiguousBytes>(_ serializedMessageBytes: Bytes) throws -> [UInt8] {
        serializedMessageBytes.withUnsafeBytes { Array($0) }
    }
}
