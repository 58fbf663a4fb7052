// swift-tools-version:6.1
import PackageDescription

import class Foundation.ProcessInfo

// TRACEZ_PACKAGE_PATH benchmarks another checkout of Tracez (say, the commit before a
// change) with this same harness; by default, the one this directory is in.
let tracezPath = ProcessInfo.processInfo.environment["TRACEZ_PACKAGE_PATH"] ?? ".."

// Tracez's benchmarks: a package of their own, so that neither the library's users nor
// `swift test` build the harness or the peer. Run from this directory:
//
//     swift package --disable-sandbox benchmark
//
// See ../Docs/Performance.md for what each suite measures and how to read the results.
let package = Package(
    name: "TracezBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        // Named, so the product reference does not depend on the name of the checkout directory.
        .package(name: "tracez", path: tracezPath),
        // On these machines the harness needs its malloc interposer named explicitly
        // (the default traits pull in a runtime interposer the local mirror does not serve).
        .package(url: "https://github.com/ordo-one/benchmark.git", exact: "1.38.1", traits: ["MallocInterposer"]),
        // The peer, measured in the same run. Only its OTLP/HTTP exporter: gRPC is not needed.
        .package(url: "https://github.com/swift-otel/swift-otel.git", exact: "1.6.0", traits: ["OTLPHTTP"]),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        // swift-protobuf's generated OTLP types, to measure our hand-written encoder against them.
        .package(url: "https://github.com/apple/swift-protobuf.git", exact: "1.39.0"),
    ],
    targets: [
        // The span workloads, shared by both executables so both do exactly the same work.
        .target(
            name: "BenchmarkWorkloads",
            dependencies: [
                "CAllocatorStatistics",
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ]
        ),
        // The OTLP types protoc generated for the tests (Sources/OTLPProto links ../../Tests/OTLPProto).
        .target(
            name: "OTLPProto",
            dependencies: [.product(name: "SwiftProtobuf", package: "swift-protobuf")]
        ),
        // glibc's allocator statistics, which Swift's Glibc module does not import.
        .target(name: "CAllocatorStatistics"),
        .executableTarget(
            name: "TracezBenchmarks",
            dependencies: [
                "BenchmarkWorkloads",
                .product(name: "Tracez", package: "tracez"),
                .product(name: "TracezOTLP", package: "tracez"),
                .product(name: "TracezLangfuse", package: "tracez"),
                .product(name: "TracezPage", package: "tracez"),
                "OTLPProto",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            path: "Benchmarks/TracezBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // The floor: swift-distributed-tracing's API with no tracer, and with `NoOpTracer` called
        // directly and through the global API. A process of its own, which never bootstraps, so
        // that `InstrumentationSystem.tracer` is the `NoOpTracer` (the other two bootstrap theirs).
        .executableTarget(
            name: "FloorBenchmarks",
            dependencies: [
                "BenchmarkWorkloads",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            path: "Benchmarks/FloorBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // Sustained export throughput against a backend that answers after a fixed delay, Tracez
        // beside swift-otel: a plain program (not package-benchmark's harness: each trial runs
        // for seconds in a process of its own), driven by export_throughput.py.
        .executableTarget(
            name: "ExportThroughput",
            dependencies: [
                "BenchmarkWorkloads",
                .product(name: "Tracez", package: "tracez"),
                .product(name: "TracezOTLP", package: "tracez"),
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Benchmarks/ExportThroughput"
        ),
        .executableTarget(
            name: "SwiftOTelBenchmarks",
            dependencies: [
                "BenchmarkWorkloads",
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Benchmarks/SwiftOTelBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
