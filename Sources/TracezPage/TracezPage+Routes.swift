import Foundation
import Hummingbird
import Tracez

extension TracezPage {
    /// Adds the page to `router`: `GET /tracez` (HTML), `GET /tracez.json` (the
    /// ``TracezPageSnapshot``) and `GET /tracez/samples` (sample traces), under `path`.
    ///
    /// The page shows span names, durations, error messages and the trace trees of samples, but
    /// never span payloads. It says what a service does: mount it where only the people who run
    /// the service can reach it, or serve it on a loopback port with ``TracezPageServer``.
    ///
    /// - Parameters:
    ///   - router: The Hummingbird router of the service's application.
    ///   - path: Where the page lives; default `tracez`.
    public func addRoutes<Context: RequestContext>(to router: Router<Context>, at path: String = "tracez") {
        // Links between the pages are relative, so the page also works inside a route group.
        let base = String(path.split(separator: "/").last ?? "tracez")
        router.get(RouterPath(path)) { _, _ in
            Self.response(PageHTML.index(self.snapshot(), base: base, refresh: self.configuration.refreshInterval), type: "text/html; charset=utf-8")
        }
        router.get(RouterPath(path + ".json")) { _, _ in
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            let body = (try? encoder.encode(self.snapshot())) ?? Data("{}".utf8)
            return Self.response(String(decoding: body, as: UTF8.self), type: "application/json")
        }
        router.get(RouterPath(path + "/samples")) { request, _ in
            let query = request.uri.queryParameters
            guard let name = query["name"].map(String.init) else {
                return Self.response("a span name is needed: ?name=…&bucket=0…7 or ?name=…&errors\n", type: "text/plain; charset=utf-8", status: .badRequest)
            }
            let selection: SampleSelection
            if query["errors"] != nil {
                selection = .errors
            } else if let index = query["bucket"].flatMap({ Int($0) }), let bucket = LatencyBucket(rawValue: index) {
                selection = .latency(bucket)
            } else {
                return Self.response("bucket must be 0 to 7, or ask for errors\n", type: "text/plain; charset=utf-8", status: .badRequest)
            }
            let renderer = TraceTreeRenderer(width: self.configuration.treeWidth, summarizers: self.configuration.summarizers)
            let html = PageHTML.samples(self.samples(named: name, in: selection), name: name, selection: selection, base: base, renderer: renderer)
            return Self.response(html, type: "text/html; charset=utf-8")
        }
    }

    private static func response(_ text: String, type: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status,
            headers: [.contentType: type, .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text))
        )
    }
}
