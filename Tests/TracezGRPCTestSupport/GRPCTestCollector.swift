import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import GRPCProtobuf
import OTLPProto
import Tracez

/// An OTLP/gRPC collector on loopback, written with grpc-swift's own server: it decodes each
/// `Export` request with the protoc-generated types and answers as the test says, so that a
/// test can play a good collector or a failing one.
///
/// Thread-safety: every member may be used from any task.
package final class GRPCTestCollector: Sendable {
    package typealias Request = Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceRequest
    package typealias Response = Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceResponse

    /// How the collector answers one call.
    package enum Answer: Sendable {
        /// OK, every span taken.
        case accept
        /// OK, with a `partial_success` rejecting `rejected` spans.
        case partial(rejected: Int64, message: String)
        /// A status other than OK; with `retryDelay`, a `google.rpc.RetryInfo` in its details
        /// (encoded by grpc-swift-protobuf's `GoogleRPCStatus`).
        case fail(RPCError.Code, message: String, retryDelay: Duration? = nil)
        /// Never answers: the call ends only when the client gives up or the server stops.
        case hang
    }

    /// One call as received.
    package struct Call: Sendable {
        package let request: Request
        package let metadata: Metadata
    }

    private let server: GRPCServer<HTTP2ServerTransport.Posix>
    private let serving: Task<Void, any Error>
    /// The calls received, shared with the handler (a class: a mutex cannot be captured).
    private final class CallLog: Sendable {
        let calls = SanitizedMutex<[Call]>([])
    }

    private let log = CallLog()
    /// The port it listens on, on 127.0.0.1.
    package let port: Int

    /// Every call received so far, in order.
    package var calls: [Call] { log.calls.withLock { $0 } }
    /// The spans of every call received so far.
    package var spans: [Opentelemetry_Proto_Trace_V1_Span] {
        calls.flatMap { $0.request.resourceSpans.flatMap(\.scopeSpans).flatMap(\.spans) }
    }

    /// Starts serving on a free port; `answer` is given the number of the call (0 for the first).
    package init(answer: @escaping @Sendable (_ call: Int) -> Answer = { _ in .accept }) async throws {
        let log = log
        var configuration = HTTP2ServerTransport.Posix.Config.defaults
        configuration.compression.enabledAlgorithms = .gzip
        let transport = HTTP2ServerTransport.Posix(
            address: .ipv4(host: "127.0.0.1", port: 0),
            transportSecurity: .plaintext,
            config: configuration
        )
        var router = RPCRouter<HTTP2ServerTransport.Posix>()
        router.registerHandler(
            forMethod: MethodDescriptor(fullyQualifiedService: "opentelemetry.proto.collector.trace.v1.TraceService", method: "Export", type: .unary),
            deserializer: ProtobufDeserializer<Request>(),
            serializer: ProtobufSerializer<Response>()
        ) { request, _ in
            var received: Request?
            for try await message in request.messages { received = message }
            let number = log.calls.withLock { calls in
                calls.append(Call(request: received ?? Request(), metadata: request.metadata))
                return calls.count - 1
            }
            switch answer(number) {
            case .accept:
                return StreamingServerResponse(single: ServerResponse(message: Response()))
            case .partial(let rejected, let message):
                var response = Response()
                response.partialSuccess.rejectedSpans = rejected
                response.partialSuccess.errorMessage = message
                return StreamingServerResponse(single: ServerResponse(message: response))
            case .fail(let code, let message, let retryDelay):
                guard let retryDelay else { throw RPCError(code: code, message: message) }
                throw GoogleRPCStatus(code: code, message: message, details: [.retryInfo(ErrorDetails.RetryInfo(delay: retryDelay))])
            case .hang:
                try await Task.sleep(for: .seconds(3600))
                throw RPCError(code: .internalError, message: "hung for an hour")
            }
        }
        let server = GRPCServer(transport: transport, router: router)
        self.server = server
        serving = Task { try await server.serve() }
        guard let port = try await transport.listeningAddress.ipv4?.port else {
            throw RPCError(code: .internalError, message: "the test collector has no IPv4 address")
        }
        self.port = port
    }

    /// Stops serving; calls still running are cut.
    package func stop() async {
        server.beginGracefulShutdown()
        serving.cancel()
        _ = await serving.result
    }
}
