import Hummingbird
import Logging
import ServiceLifecycle

/// Serves a ``TracezPage`` on a port of its own, for a service that does not use Hummingbird.
///
/// ```swift
/// let server = TracezPageServer(page: page, port: 8080)
/// let group = ServiceGroup(services: [tracer, page, server], gracefulShutdownSignals: [.sigterm], logger: logger)
/// ```
///
/// It listens on loopback (`127.0.0.1`) unless told otherwise: the page says what the service
/// does, so reach it through an SSH tunnel or a proxy that checks who asks.
///
/// It does not run the page: add the page to the same `ServiceGroup`, so that it reads its
/// flight recorder often.
public struct TracezPageServer: Service {
    public let page: TracezPage
    public let host: String
    /// `0` asks the system for a free port; ``onListening`` says which.
    public let port: Int
    /// Called once the server listens, with its port.
    public let onListening: (@Sendable (Int) async -> Void)?
    private let logger: Logger

    /// - Parameters:
    ///   - page: The page to serve, at `/tracez`.
    ///   - host: The address to listen on; default loopback.
    ///   - port: The port; `0` for any free one.
    ///   - logger: For the HTTP server's own messages.
    ///   - onListening: Called with the port once the server listens.
    public init(
        page: TracezPage,
        host: String = "127.0.0.1",
        port: Int = 8080,
        logger: Logger = Logger(label: "tracez.page"),
        onListening: (@Sendable (Int) async -> Void)? = nil
    ) {
        self.page = page
        self.host = host
        self.port = port
        self.logger = logger
        self.onListening = onListening
    }

    /// Serves until graceful shutdown or cancellation.
    public func run() async throws {
        let router = Router()
        page.addRoutes(to: router)
        let port = port
        let onListening = onListening
        let application = Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname(host, port: port)),
            onServerRunning: { channel in await onListening?(channel.localAddress?.port ?? port) },
            logger: logger
        )
        try await application.run()
    }
}
