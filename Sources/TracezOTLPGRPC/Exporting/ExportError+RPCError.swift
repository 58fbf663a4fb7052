import GRPCCore
import Tracez
import TracezOTLP

extension ExportError {
    /// What a failed call means for the batch, by the OTLP specification's rules for gRPC
    /// status codes:
    ///
    /// - `UNAVAILABLE`, `CANCELLED`, `DEADLINE_EXCEEDED`, `ABORTED`, `OUT_OF_RANGE` and
    ///   `DATA_LOSS` are transient: retried, after the delay of a `google.rpc.RetryInfo` if
    ///   the collector sent one.
    /// - `RESOURCE_EXHAUSTED` is transient only when it comes with a `RetryInfo` (the
    ///   collector asks to be called again later); without one, the collector cannot take
    ///   the request at all (too large, a quota), and it is a rejection.
    /// - Every other code is a rejection: never retried, counted as `rejectedByBackend`.
    ///
    /// The reason names the code and the collector's message, cut to 200 characters.
    static func classify(_ error: RPCError) -> ExportError {
        let message = error.message.isEmpty ? "no message" : String(error.message.prefix(200))
        let reason = "gRPC \(error.code) (\(error.code.rawValue)): \(message)"
        let retryDelay = retryDelay(in: error.metadata)
        switch error.code {
        case .unavailable, .cancelled, .deadlineExceeded, .aborted, .outOfRange, .dataLoss:
            return .transient(reason: reason, retryAfter: retryDelay)
        case .resourceExhausted:
            guard let retryDelay else { return .rejected(status: nil, reason: reason + " (no retry info: not retried)") }
            return .transient(reason: reason, retryAfter: retryDelay)
        default:
            return .rejected(status: nil, reason: reason)
        }
    }

    /// The delay of the first `google.rpc.RetryInfo` in the call's `grpc-status-details-bin`
    /// trailer (a `google.rpc.Status` whose `details` are `Any`s), `nil` when there is none or
    /// it cannot be read. Read by hand (`ProtobufReader`), so that this module needs no
    /// generated protobuf code; a trailer that is not such a message is ignored, never fatal.
    static func retryDelay(in metadata: Metadata) -> Duration? {
        for details in metadata[binaryValues: "grpc-status-details-bin"] {
            if let delay = try? retryDelay(inStatus: details[...]) { return delay }
        }
        return nil
    }

    private static let retryInfoType = "type.googleapis.com/google.rpc.RetryInfo"
    private static let statusType = "type.googleapis.com/google.rpc.Status"

    /// `google.rpc.Status { int32 code = 1; string message = 2; repeated google.protobuf.Any details = 3; }`,
    /// or that Status packed in a `google.protobuf.Any { string type_url = 1; bytes value = 2; }`
    /// (which is how grpc-swift-protobuf's `GoogleRPCStatus` sends it; grpcio and grpc-go
    /// send the Status itself). A field 1 of wire type 2 tells the two apart. One `Any` is
    /// unpacked, no more: the depth of this reading never depends on the bytes.
    private static func retryDelay(inStatus bytes: ArraySlice<UInt8>, unpacking: Bool = true) throws -> Duration? {
        var status = ProtobufReader(bytes)
        var packed: (typeURL: String, value: ArraySlice<UInt8>) = ("", [])
        while let (field, wireType) = try status.tag() {
            switch (field, wireType) {
            case (1, 2): packed.typeURL = String(decoding: try status.lengthDelimited(), as: UTF8.self)
            case (2, 2) where !packed.typeURL.isEmpty: packed.value = try status.lengthDelimited()
            case (3, 2):
                let (typeURL, value) = try any(status.lengthDelimited())
                if typeURL == retryInfoType, let delay = try retryInfoDelay(value) { return delay }
            default: try status.skip(wireType)
            }
        }
        guard unpacking, packed.typeURL == statusType else { return nil }
        return try retryDelay(inStatus: packed.value, unpacking: false)
    }

    /// A `google.protobuf.Any`'s type URL and value.
    private static func any(_ bytes: ArraySlice<UInt8>) throws -> (typeURL: String, value: ArraySlice<UInt8>) {
        var any = ProtobufReader(bytes)
        var typeURL = ""
        var value: ArraySlice<UInt8> = []
        while let (field, wireType) = try any.tag() {
            switch (field, wireType) {
            case (1, 2): typeURL = String(decoding: try any.lengthDelimited(), as: UTF8.self)
            case (2, 2): value = try any.lengthDelimited()
            default: try any.skip(wireType)
            }
        }
        return (typeURL, value)
    }

    /// `google.rpc.RetryInfo { google.protobuf.Duration retry_delay = 1; }`, the duration being
    /// `{ int64 seconds = 1; int32 nanos = 2; }`; negative delays read as zero, and a delay
    /// is capped at a day (the pipeline caps it again at its own limit).
    private static func retryInfoDelay(_ bytes: ArraySlice<UInt8>) throws -> Duration? {
        var info = ProtobufReader(bytes)
        var delay: Duration?
        while let (field, wireType) = try info.tag() {
            guard field == 1, wireType == 2 else {
                try info.skip(wireType)
                continue
            }
            var duration = ProtobufReader(try info.lengthDelimited())
            var seconds: Int64 = 0
            var nanos: Int64 = 0
            while let (durationField, durationType) = try duration.tag() {
                switch (durationField, durationType) {
                case (1, 0): seconds = Int64(bitPattern: try duration.varint())
                case (2, 0): nanos = Int64(Int32(truncatingIfNeeded: try duration.varint()))
                default: try duration.skip(durationType)
                }
            }
            let day: Int64 = 86_400
            delay = .seconds(min(max(seconds, 0), day)) + .nanoseconds(max(nanos, 0) % 1_000_000_000)
        }
        return delay
    }
}
