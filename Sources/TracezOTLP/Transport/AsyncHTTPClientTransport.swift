import AsyncHTTPClient
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
        /// Keep-alive connections per host. Default 8.
        public var maxConnectionsPerHost: Int = 8
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
        self.client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
        self.ownsClient = true
    }

    /// Uses an `HTTPClient` the caller owns and shuts down.
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

    static func summary(of error: any Error) -> String {
        if let error = error as? HTTPClientError { return "\(error)" }
        if let error = error as? IOError { return "I/O error \(error.errnoCode)" }
        if let error = error as? ChannelError { return "\(error)" }
        return String(describing: type(of: error))
    }
}

extension Duration {
    /// Whole nanoseconds, clamped to what `Int64` holds.
    var nanosecondsClamped: Int64 {
        let (seconds, attoseconds) = components
        guard seconds < Int64.max / 1_000_000_000 else { return .max }
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
