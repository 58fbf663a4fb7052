import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization
import Tracez

/// A real HTTP/1.1 server on loopback that plays a backend, good or bad.
///
/// Each request is answered by `reply(requestNumber, request)`, which the test sets:
/// a status with headers and body, a hang (never answers), or a reset (closes the
/// connection without an answer). It keeps every request it received. `stop()` and
/// `start()` take it down and bring it back on the same port.
///
/// Shared by the test targets (OTLP and Langfuse), which play their backends with it.
public final class TestBackend: Sendable {
    public enum Reply: Sendable {
        case status(Int, headers: [(String, String)] = [], body: String = "")
        /// A status with a binary body (a protobuf answer, say).
        case bytes(Int, headers: [(String, String)] = [], body: [UInt8])
        case hang
        case reset
    }

    public struct Request: Sendable {
        public let method: String
        public let uri: String
        public let headers: [(String, String)]
        public let body: [UInt8]

        public func header(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name.lowercased() }?.1
        }
    }

    private struct State {
        var reply: @Sendable (Int, Request) -> Reply = { _, _ in .status(200) }
        var requests: [Request] = []
        var channel: (any Channel)?
        var port = 0
        /// Holds the port while the backend is down (see ``PortReservation``).
        var reservation: PortReservation?
        var abandonedHangs = 0
    }

    private let state = SanitizedMutex(State())
    private let group = MultiThreadedEventLoopGroup.singleton

    public init() {}

    public var port: Int { state.withLock { $0.port } }
    public var url: String { "http://127.0.0.1:\(port)" }
    public var requests: [Request] { state.withLock { $0.requests } }
    /// Requests answered with ``Reply/hang`` whose connection the client then closed: exports
    /// that were given up and cancelled, rather than left waiting.
    public var abandonedHangs: Int { state.withLock { $0.abandonedHangs } }

    fileprivate func noteAbandonedHang() {
        state.withLock { $0.abandonedHangs += 1 }
    }

    /// Sets how the backend answers request number n (0 for the first it ever received).
    public func answer(_ reply: @escaping @Sendable (Int) -> Reply) {
        state.withLock { $0.reply = { number, _ in reply(number) } }
    }

    /// Sets how the backend answers, from the request number and the request itself.
    public func answer(_ reply: @escaping @Sendable (Int, Request) -> Reply) {
        state.withLock { $0.reply = reply }
    }

    /// Starts listening: on an ephemeral port the first time, on the same port after a stop.
    public func start() async throws {
        let port = state.withLock { $0.port }
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(Handler(backend: self))
                }
            }
            .bind(host: "127.0.0.1", port: port)
            .get()
        state.withLock {
            $0.channel = channel
            $0.port = channel.localAddress?.port ?? port
            $0.reservation = nil  // listening again: the port is held by the server itself
        }
    }

    /// Stops listening and drops every open connection: the backend is down, and connecting
    /// to it is refused. The port stays reserved for a later `start()`, so that no other server
    /// of the test run is given it meanwhile.
    public func stop() async throws {
        let channel = state.withLock { state -> (any Channel)? in
            defer { state.channel = nil }
            return state.channel
        }
        try await channel?.close()
        Handler.closeAll(of: self)
        if channel != nil {
            state.withLock { $0.reservation = PortReservation(port: $0.port) }
        }
    }

    fileprivate func received(_ request: Request) -> Reply {
        state.withLock { state in
            state.requests.append(request)
            return state.reply(state.requests.count - 1, request)
        }
    }

    /// Bodies decoded as lines of JSON objects, as the test exporter sends them.
    public var receivedSpanNames: [String] {
        requests.flatMap { request in
            String(decoding: request.body, as: UTF8.self).split(separator: "\n").compactMap { line in
                (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["name"] as? String
            }
        }
    }
}

private final class Handler: ChannelInboundHandler, @unchecked Sendable {
    // @unchecked: NIO calls a handler only on its channel's event loop, and its mutable
    // state (`head`, `body`) is touched only from those calls.
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private static let open = SanitizedMutex<[ObjectIdentifier: [any Channel]]>([:])

    private let backend: TestBackend
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var isHanging = false

    init(backend: TestBackend) { self.backend = backend }

    static func closeAll(of backend: TestBackend) {
        let channels = open.withLock { $0.removeValue(forKey: ObjectIdentifier(backend)) ?? [] }
        for channel in channels { channel.close(promise: nil) }
    }

    func channelActive(context: ChannelHandlerContext) {
        let channel = context.channel
        Self.open.withLock { $0[ObjectIdentifier(backend), default: []].append(channel) }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if isHanging { backend.noteAbandonedHang() }
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = []
        case .body(var buffer):
            body += buffer.readBytes(length: buffer.readableBytes) ?? []
        case .end:
            guard let head else { return }
            let request = TestBackend.Request(
                method: head.method.rawValue,
                uri: head.uri,
                headers: head.headers.map { ($0.name, $0.value) },
                body: body
            )
            respond(backend.received(request), context: context, keepAlive: head.isKeepAlive)
        }
    }

    private func respond(_ reply: TestBackend.Reply, context: ChannelHandlerContext, keepAlive: Bool) {
        switch reply {
        case .hang:
            isHanging = true
        case .reset:
            context.close(promise: nil)
        case .status(let code, let extraHeaders, let text):
            send(code, headers: extraHeaders, body: Array(text.utf8), context: context)
        case .bytes(let code, let extraHeaders, let bytes):
            send(code, headers: extraHeaders, body: bytes, context: context)
        }
    }

    private func send(_ code: Int, headers extraHeaders: [(String, String)], body: [UInt8], context: ChannelHandlerContext) {
        var headers = HTTPHeaders(extraHeaders)
        headers.add(name: "Content-Length", value: "\(body.count)")
        let head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: code), headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: body)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}
