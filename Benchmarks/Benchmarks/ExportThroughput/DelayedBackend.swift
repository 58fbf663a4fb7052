import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// An OTLP/HTTP backend on 127.0.0.1 that answers every request with 200 after a fixed delay,
/// and counts the spans it received (without decoding them: `SpanCount`).
///
/// The delay is scheduled on the connection's event loop, never slept: a slow backend that
/// still takes any number of requests at once, as a distant collector does.
final class DelayedBackend: Sendable {
    let port: Int
    private let channel: any Channel
    private let counter = Counter()

    /// Spans received so far.
    var spans: Int { counter.received.load(ordering: .relaxed) }
    /// Requests received so far.
    var requestCount: Int { counter.requests.load(ordering: .relaxed) }

    init(delay: TimeAmount) throws {
        let counter = counter
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 256)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(AnswerAfterDelay(delay: delay, counter: counter))
                }
            }
        channel = try bootstrap.bind(host: "127.0.0.1", port: 0).wait()
        port = channel.localAddress?.port ?? 0
    }

    func stop() {
        try? channel.close().wait()
    }
}

/// What the handlers count into (a class: `Atomic` cannot be captured).
private final class Counter: Sendable {
    let received = Atomic<Int>(0)
    let requests = Atomic<Int>(0)
}

/// Reads a request to its end, counts its spans, then answers 200 with an empty protobuf body
/// after the delay.
private final class AnswerAfterDelay: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let delay: TimeAmount
    private let counter: Counter
    private var body: [UInt8] = []

    init(delay: TimeAmount, counter: Counter) {
        self.delay = delay
        self.counter = counter
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            body.removeAll(keepingCapacity: true)
        case .body(let buffer):
            body.append(contentsOf: buffer.readableBytesView)
        case .end:
            counter.received.add(SpanCount.inRequest(body), ordering: .relaxed)
            counter.requests.add(1, ordering: .relaxed)
            let answer = {
                var headers = HTTPHeaders()
                headers.add(name: "Content-Type", value: "application/x-protobuf")
                headers.add(name: "Content-Length", value: "0")
                context.write(self.wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
                context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil)
            }
            if delay == .zero {
                answer()
            } else {
                context.eventLoop.assumeIsolated().scheduleTask(in: delay, answer)
            }
        }
    }
}
