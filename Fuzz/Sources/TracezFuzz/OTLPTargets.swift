// OTLPPartialSuccess is SPI, public for the benchmarks (and this harness) only.
@_spi(Benchmarks) import TracezOTLP

// A collector's answer to an export: `ExportTraceServiceResponse.partial_success`.

/// Reads any bytes as a protobuf `ExportTraceServiceResponse`: a value or a thrown error, never a trap.
func fuzzOTLPPartialSuccessProtobuf(_ bytes: [UInt8]) {
    guard let partial = try? OTLPPartialSuccess.decode(protobuf: bytes) else { return }
    precondition(partial.rejectedSpans != 0 || !partial.errorMessage.isEmpty, "an empty partial success was returned, not nil")
}

/// Reads any bytes as an OTLP/JSON `ExportTraceServiceResponse`: a value or a thrown error, never a trap.
func fuzzOTLPPartialSuccessJSON(_ bytes: [UInt8]) {
    guard let partial = try? OTLPPartialSuccess.decode(json: bytes) else { return }
    precondition(partial.rejectedSpans != 0 || !partial.errorMessage.isEmpty, "an empty partial success was returned, not nil")
}
