// swift-tools-version:6.1
import PackageDescription

// A traced service, as a team would write one: two Hummingbird 2 processes (frontend and
// backend) talking over AsyncHTTPClient with `traceparent` propagated, bootstrapped with
// TracezSystem. Not built by the library's `swift test`; `.ci/run` builds it, runs both
// processes and checks what the OTLP and Langfuse capture servers received.
let package = Package(
    name: "ChatService",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "tracez", path: "../.."),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", exact: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
    ],
    targets: [
        .executableTarget(
            name: "ChatService",
            dependencies: [
                .product(name: "TracezBootstrap", package: "tracez"),
                .product(name: "TracezLangfuse", package: "tracez"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        )
    ],
    swiftLanguageModes: [.v6]
)
