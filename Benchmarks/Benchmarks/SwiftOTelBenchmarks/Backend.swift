import NIOCore
import NIOHTTP1
import NIOPosix

/// An OTLP/HTTP backend on 127.0.0.1 that answers every request with 200 and an empty
/// `ExportTraceServiceResponse`, so that swift-otel's exporter does its full work
/// (encode, send, read the answer) without a collector on the machine.
struct LoopbackBackend: Sendable {
    let port: Int
    let channel: any Channel

    /// Binds an ephemeral port on the loopback interface and starts answering.
    static func start() -> LoopbackBackend {
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(AnswerOK())
                }
            }
        let channel = try! bootstrap.bind(host: "127.0.0.1", port: 0).wait()
        return LoopbackBackend(port: channel.localAddress!.port!, channel: channel)
    }
}

/// Reads a request to its end, then answers 200 with an empty protobuf body.
private final class AnswerOK: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .end = unwrapInboundIn(data) else { return }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/x-protobuf")
        headers.add(name: "Content-Length", value: "0")
        let head = HTTPResponseHead(version: .http1_1, status: .ok, headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}
