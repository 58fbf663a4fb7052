import Foundation
import Synchronization
import TracezOTLP

/// The real transport, keeping a copy of every request body for `.ci/interop/langfuse_check.py`:
/// NNNN.body beside NNNN.json (path and headers, the Authorization value left out).
final class CapturingTransport: HTTPTransport {
    private let inner = AsyncHTTPClientTransport()
    private let directory: URL
    private let counter = Atomic<Int>(0)

    init(into directory: URL) throws {
        self.directory = directory
    }

    func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
        let number = counter.add(1, ordering: .relaxed).newValue
        let base = directory.appendingPathComponent(String(format: "%04d", number))
        var headers: [String: String] = [:]
        for header in request.headers where header.name.lowercased() != "authorization" { headers[header.name] = header.value }
        let meta: [String: Any] = ["path": request.endpoint.url.path, "headers": headers]
        try? JSONSerialization.data(withJSONObject: meta).write(to: base.appendingPathExtension("json"))
        try? Data(request.body).write(to: base.appendingPathExtension("body"))
        return try await inner.send(request)
    }

    func shutdown() async { await inner.shutdown() }
}
