import Logging
import ServiceLifecycle
import Tracez

// The reader's own code in Docs/GettingStarted.md.

/// "your application's own Service"
struct HTTPServer: Service {
    let logger: Logger
    func run() async throws {}
}

/// A service that finishes: a batch job.
let job = HTTPServer(logger: logger)

func handleRequests(_ tracer: Tracer) async {}

let question = "Which spans are slow?"
func embed(_ text: String) async -> [Double] { [] }
func search(_ text: String) async -> [String] { [] }

/// A client with a completion handler, from before Swift concurrency.
struct LegacyClient: Sendable {
    func fetch(_ completion: @escaping @Sendable (Int) -> Void) {}
}
let legacyClient = LegacyClient()

struct Request: Sendable {}
let request = Request()
func send(_ request: Request, headers: [String: String]) async throws {}
let requestHeaders: [String: String] = [:]

struct Payments: Sendable {
    func charge(cents: Int) async throws {}
}
let payments = Payments()

struct Profiles: Sendable {
    func load(_ userID: String) async throws {}
}
let profiles = Profiles()

func call(_ tool: String) async {}

struct Cache: Sendable {
    func refresh() async {}
}
let cache = Cache()

let inventory = ["sku-42": 3]
func respond(to request: Request, with inventory: [String: Int]) async throws {}

/// A streamed HTTP response.
struct Response: Sendable {
    let body: AsyncStream<[UInt8]>
}
let response = Response(body: AsyncStream { $0.finish() })

/// The injector of "Keep the trace across processes", for the baggage sample after it.
struct HeadersInjector: Injector {
    func inject(_ value: String, forKey key: String, into headers: inout [String: String]) {
        headers[key] = value
    }
}
