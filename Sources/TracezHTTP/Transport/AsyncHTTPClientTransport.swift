import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization
import Tracez

/// ``HTTPTransport`` on AsyncHTTPClient: pooled keep-alive connections, TLS by
/// default (the system's trust roots), a timeout per request, and a cap on how much
/// of an answer it reads.
///
/// Thread-safety: safe to call from any task; requests run concurrently on the client's pool.
/// Ownership: a transport made with ``init(configuration:)`` owns its `HTTPClient` and
/// shuts it down in ``shutdown()``, or when it is released without one (AsyncHTTPClient
/// traps on a client released while running); one given an existing client leaves it to its owner.
public final class AsyncHTTPClientTransport: HTTPTransport {
    public struct Configuration: Sendable {
        /// Connect timeout. Default 10 s.
        public var connectTimeout: Duration = .seconds(10)
        /// Keep-alive connections per host, opened only as requests need them. Default 64, more
        /// than a pipeline usually sends at once, so that `ExportConfiguration.maxConcurrentExports`
        /// decides how many exports are in flight: a pipeline allowed 16 behind a transport
        /// allowed 8 (AsyncHTTPClient's own default) sends 8 at a time and queues the rest.
        public var maxConnectionsPerHost: Int = 64
        /// Bytes of an answer read at most; the rest is refused. Default 1 MiB:
        /// backends answer exports with a few bytes.
        public var maxResponseBytes: Int = 1 << 20

        public init() {}
    }

    public let configuration: Configuration
    private let client: HTTPClient
    private let ownsClient: Bool
    private let isShutDown = Atomic<Bool>(false)

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        var clientConfiguration = HTTPClient.Configuration()
        clientConfiguration.timeout.connect = .nanoseconds(configuration.connectTimeout.nanosecondsClamped)
        clientConfiguration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = configuration.maxConnectionsPerHost
        clientConfiguration.redirectConfiguration = .disallow  // an export must not be replayed elsewhere
        // By default AsyncHTTPClient retries a failed connect until the request's deadline, so a
        // backend that refuses connections cost the whole timeout on every attempt, and the
        // refusal itself was never reported. Fail the attempt at once; the pipeline retries.
        clientConfiguration.connectionPool.retryConnectionEstablishment = false
        // Never trace our own exports. AsyncHTTPClient takes `InstrumentationSystem.tracer` when a
        // configuration is made and wraps every request in a client span; after
        // `InstrumentationSystem.bootstrap(tracer)` each export would record a span, which the
        // next export sends, which records another, for as long as the process lives.
        clientConfiguration.tracing.tracer = nil
        self.client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
        self.ownsClient = true
    }

    /// Uses an `HTTPClient` the caller owns and shuts down.
    ///
    /// Make that client with tracing off (`configuration.tracing.tracer = nil`): a client that
    /// traces its requests into the tracer whose spans it exports records a span for every
    /// export, and exports those spans too, without end.
    public init(client: HTTPClient, configuration: Configuration = Configuration()) {
        self.configuration = configuration
        self.client = client
        self.ownsClient = false
    }

    public func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
        var outgoing = HTTPClientRequest(url: request.endpoint.url.absoluteString)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for header in request.headers {
            outgoing.headers.add(name: header.name, value: header.value)
        }
        outgoing.body = .bytes(ByteBuffer(bytes: request.body))
        let timeout = TimeAmount.nanoseconds(request.timeout.nanosecondsClamped)
        do {
            let response = try await client.execute(outgoing, timeout: timeout)
            var body: ByteBuffer
            do {
                body = try await response.body.collect(upTo: configuration.maxResponseBytes)
            } catch is NIOTooManyBytesError {
                throw TransportError.responseTooLarge(limit: configuration.maxResponseBytes)
            }
            return HTTPResponse(
                status: Int(response.status.code),
                headers: response.headers.map { (name: $0.name, value: $0.value) },
                body: body.readBytes(length: body.readableBytes) ?? []
            )
        } catch let error as TransportError {
            throw error
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            throw .timedOut
        } catch is CancellationError {
            throw .timedOut
        } catch {
            // Describe the failure by its type and code only: AsyncHTTPClient's errors can echo the URL.
            throw .connectionFailed(reason: Self.summary(of: error))
        }
    }

    public func shutdown() async {
        guard ownsClient, !isShutDown.exchange(true, ordering: .acquiringAndReleasing) else { return }
        try? await client.shutdown()
    }

    deinit {
        // An exporter dropped without `shutdown()` must not take the process down with it:
        // start the shutdown here. The callback holds the client until it has finished.
        guard ownsClient, !isShutDown.exchange(true, ordering: .acquiringAndReleasing) else { return }
        client.shutdown { _ in }
    }

    /// The failure in a few words, from its type and code only: AsyncHTTPClient's and NIO's
    /// errors can carry the URL, the address, or (`invalidHeaderFieldValues`) a header value.
    static func summary(of error: any Error) -> String {
        if let code = errnoCode(in: error) { return describe(errno: code) }
        if let error = error as? HTTPClientError { return error.shortDescription.lowercased() }
        let type = String(reflecting: Swift.type(of: error))
        if type.hasPrefix("NIOSSL.") || type.contains("BoringSSL") || type.hasPrefix("NIOTLS.") {
            return "TLS error (\(type)\(caseName(of: error).map { ".\($0)" } ?? ""))"
        }
        if let error = error as? ChannelError, let name = caseName(of: error) { return "channel error \(name)" }
        return String(describing: Swift.type(of: error))
    }

    /// The `errno` of the first `IOError` in `error` or in what it wraps (NIO's connection error
    /// holds one per address tried), found by reflection since its type is not public API here.
    static func errnoCode(in error: Any, depth: Int = 0) -> CInt? {
        if let error = error as? IOError { return error.errnoCode }
        guard depth < 6 else { return nil }
        for child in Mirror(reflecting: error).children {
            if let code = errnoCode(in: child.value, depth: depth + 1) { return code }
        }
        return nil
    }

    static func describe(errno code: CInt) -> String {
        switch code {
        case ECONNREFUSED: "connection refused"
        case ECONNRESET: "connection reset by the backend"
        case ETIMEDOUT: "connection timed out"
        case EHOSTUNREACH, ENETUNREACH: "no route to the backend's host"
        case EPIPE: "the backend closed the connection"
        default: "I/O error \(code)"
        }
    }

    /// The case name of an enum error, without its associated values (which may hold an address).
    private static func caseName(of error: any Error) -> String? {
        let mirror = Mirror(reflecting: error)
        guard mirror.displayStyle == .enum else { return nil }
        if let label = mirror.children.first?.label { return label }
        let text = String(describing: error)
        return text.allSatisfy { $0.isLetter || $0.isNumber } ? text : nil
    }
}
