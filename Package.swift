// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "tracez",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Tracez", targets: ["Tracez"]),
        .library(name: "TracezHTTP", targets: ["TracezHTTP"]),
        .library(name: "TracezOTLP", targets: ["TracezOTLP"]),
        // OTLP over gRPC: a product of its own, so that users of OTLP/HTTP do not build gRPC.
        .library(name: "TracezOTLPGRPC", targets: ["TracezOTLPGRPC"]),
        .library(name: "TracezLangfuse", targets: ["TracezLangfuse"]),
        .library(name: "TracezBootstrap", targets: ["TracezBootstrap"]),
        .library(name: "TracezPage", targets: ["TracezPage"]),
        .library(name: "TracezTestKit", targets: ["TracezTestKit"]),
        .executable(name: "tracez", targets: ["tracez"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        // OTLP/gRPC only (TracezOTLPGRPC, and the tracez command that offers it).
        .package(url: "https://github.com/grpc/grpc-swift-2.git", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport.git", from: "2.9.2"),
        // Tests only: the gRPC fault server's `google.rpc.Status` with `RetryInfo`, encoded by grpc-swift's own types.
        .package(url: "https://github.com/grpc/grpc-swift-protobuf.git", from: "2.4.1"),
        // The live /tracez page only (TracezPage): nobody builds it unless they link that module.
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        // Tests only: the generated OTLP decoder (pinned to the plugin that generated it) and property tests.
        .package(url: "https://github.com/apple/swift-protobuf.git", exact: "1.39.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        // `swift package generate-documentation`: the DocC catalogs of the library modules, built in CI.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin.git", from: "1.5.0"),
    ],
    targets: [
        .target(
            name: "Tracez",
            dependencies: [
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // zlib, for gzip request bodies (Debian: zlib1g-dev).
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]
        ),
        // The HTTP transport, endpoints, status classification and the generic HTTP exporter,
        // shared by the OTLP and Langfuse exporters.
        .target(
            name: "TracezHTTP",
            dependencies: [
                "Tracez",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .target(
            name: "TracezOTLP",
            dependencies: ["Tracez", "TracezHTTP", "CZlib"]
        ),
        // OTLP/gRPC: TracezOTLP's encoder, sent by grpc-swift 2 over its HTTP/2 transport.
        .target(
            name: "TracezOTLPGRPC",
            dependencies: [
                "Tracez",
                "TracezHTTP",
                "TracezOTLP",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2Posix", package: "grpc-swift-nio-transport"),
            ]
        ),
        // TracezOTLP for its encoder only: requests go through TracezHTTP's exporter.
        .target(
            name: "TracezLangfuse",
            dependencies: [
                "Tracez",
                "TracezHTTP",
                "TracezOTLP",
                .product(name: "Logging", package: "swift-log"),
                // Prompt fetches and cache hits are counted (`tracez_langfuse_prompt_fetches_total`).
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        // For the authors of exporters: the checks an `Exporter` must pass.
        .target(
            name: "TracezBootstrap",
            dependencies: [
                "Tracez",
                "TracezOTLP",
                // OTEL_EXPORTER_OTLP_PROTOCOL=grpc: the bootstrap honours every protocol the variables name.
                "TracezOTLPGRPC",
                "TracezLangfuse",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ]
        ),
        // The live /tracez page and /tracez.json, on a Hummingbird router or a port of its own.
        .target(
            name: "TracezPage",
            dependencies: [
                "Tracez",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(name: "TracezTestKit", dependencies: ["Tracez"]),
        .executableTarget(
            name: "tracez",
            dependencies: [
                "Tracez",
                "TracezOTLP",
                "TracezOTLPGRPC",
                "TracezLangfuse",
                "TracezPage",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "TracezTests",
            dependencies: [
                "Tracez",
                "TracezTestSupport",
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ]
        ),
        // Swift code generated by protoc and swift-protobuf's plugin from opentelemetry-proto v1.9.0:
        // the decoder we did not write. Used by tests only.
        .target(
            name: "OTLPProto",
            dependencies: [.product(name: "SwiftProtobuf", package: "swift-protobuf")],
            path: "Tests/OTLPProto"
        ),
        // A real HTTP server on loopback that plays a good or bad backend; used by tests only.
        .target(
            name: "TracezTestSupport",
            dependencies: [
                "Tracez",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Tests/TracezTestSupport"
        ),
        .testTarget(
            name: "TracezHTTPTests",
            dependencies: [
                "TracezHTTP",
                "TracezTestSupport",
            ]
        ),
        .testTarget(
            name: "TracezOTLPTests",
            dependencies: [
                "TracezOTLP",
                "TracezHTTP",
                "OTLPProto",
                "TracezTestSupport",
                "TracezTestKit",
                .product(name: "PropertyBased", package: "swift-property-based"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // An OTLP/gRPC collector on loopback, written with grpc-swift's own server; used by tests only.
        .target(
            name: "TracezGRPCTestSupport",
            dependencies: [
                "Tracez",
                "OTLPProto",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2Posix", package: "grpc-swift-nio-transport"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
            ],
            path: "Tests/TracezGRPCTestSupport"
        ),
        .testTarget(
            name: "TracezOTLPGRPCTests",
            dependencies: [
                "TracezOTLPGRPC",
                "OTLPProto",
                "TracezTestSupport",
                "TracezGRPCTestSupport",
                "TracezTestKit",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
            ]
        ),
        .testTarget(
            name: "TracezBootstrapTests",
            dependencies: [
                "TracezBootstrap",
                "TracezTestSupport",
                "TracezGRPCTestSupport",
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "TracezLangfuseTests",
            dependencies: [
                "TracezLangfuse",
                "TracezHTTP",
                "OTLPProto",
                "TracezTestSupport",
                // The hostile-input suite sends through every exporter, OTLP/gRPC among them.
                "TracezOTLPGRPC",
                "TracezGRPCTestSupport",
                "TracezTestKit",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                // Two services talking over loopback (CrossServiceTests).
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
        .testTarget(
            name: "TracezPageTests",
            dependencies: [
                "TracezPage",
                "TracezTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "TracezTestKitTests", dependencies: ["TracezTestKit", "TracezTestSupport"]),
        .testTarget(name: "tracezTests", dependencies: ["tracez", "OTLPProto", "TracezTestSupport"]),
        // Every code sample of README.md and Docs/, generated by .ci/doc_samples.py: compiled, never run.
        .testTarget(
            name: "DocSamples",
            dependencies: [
                "Tracez",
                "TracezBootstrap",
                "TracezOTLP",
                "TracezOTLPGRPC",
                "TracezLangfuse",
                "TracezPage",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/DocSamples"
        ),
    ],
    swiftLanguageModes: [.v6]
)
