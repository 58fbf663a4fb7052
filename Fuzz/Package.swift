// swift-tools-version:6.1
import PackageDescription

// Fuzz targets for every parser of outside bytes (issue 10, "Hostile input").
//
// A separate package, like Benchmarks/, so that the main package builds and tests without
// fuzzer flags. One executable holds every target; TRACEZ_FUZZ_TARGET picks one. Build with
// libFuzzer and AddressSanitizer (see README.md and ../.ci/fuzz):
//
//     swift build -c debug -Xswiftc -sanitize=fuzzer,address
//
// Debug builds compile the libraries with testing enabled, which the harnesses need:
// `@testable import` reaches the internal JSONParser, IngestionResults and RetryAfter; OTLPPartialSuccess
// is reached with `@_spi(Benchmarks) import TracezOTLP`.
let package = Package(
    name: "tracez-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        // Named, so the product references do not depend on the name of the checkout directory.
        .package(name: "tracez", path: ".."),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    ],
    targets: [
        // Declares libFuzzer's LLVMFuzzerRunDriver, which the -sanitize=fuzzer runtime defines.
        .target(name: "CFuzzerDriver"),
        .executableTarget(
            name: "tracez-fuzz",
            dependencies: [
                "CFuzzerDriver",
                .product(name: "Tracez", package: "tracez"),
                .product(name: "TracezHTTP", package: "tracez"),
                .product(name: "TracezOTLP", package: "tracez"),
                .product(name: "TracezLangfuse", package: "tracez"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/TracezFuzz"
        ),
    ],
    swiftLanguageModes: [.v6]
)
