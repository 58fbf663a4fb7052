/// One parser of outside bytes and the harness that feeds it.
///
/// A harness must return normally for every input. It traps (`preconditionFailure`) only
/// when an invariant fails, so libFuzzer records the input as a crash like any other trap.
struct FuzzTarget: Sendable {
    /// What TRACEZ_FUZZ_TARGET names, and the folder under Corpus/ and Crashes/.
    let name: String
    /// Longest input worth trying (libFuzzer's -max_len in .ci/fuzz).
    let maxLength: Int
    let run: @Sendable ([UInt8]) -> Void

    static let all: [FuzzTarget] = [
        FuzzTarget(name: "traceparent", maxLength: 4096, run: fuzzTraceParent),
        FuzzTarget(name: "tracestate", maxLength: 4096, run: fuzzTraceState),
        FuzzTarget(name: "otlp-partial-protobuf", maxLength: 4096, run: fuzzOTLPPartialSuccessProtobuf),
        FuzzTarget(name: "otlp-partial-json", maxLength: 65536, run: fuzzOTLPPartialSuccessJSON),
        FuzzTarget(name: "langfuse-207", maxLength: 65536, run: fuzzLangfuse207),
        FuzzTarget(name: "retry-after", maxLength: 4096, run: fuzzRetryAfter),
        FuzzTarget(name: "json-parser", maxLength: 65536, run: fuzzJSONParser),
        FuzzTarget(name: "env-tracer", maxLength: 4096, run: fuzzTracerEnvironment),
        FuzzTarget(name: "env-bsp", maxLength: 4096, run: fuzzBatchSpanProcessorEnvironment),
        FuzzTarget(name: "env-otlp", maxLength: 4096, run: fuzzOTLPEnvironment),
        FuzzTarget(name: "env-langfuse", maxLength: 4096, run: fuzzLangfuseEnvironment),
    ]

    static func named(_ name: String) -> FuzzTarget? {
        all.first { $0.name == name }
    }
}
