import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import Testing
import Tracez
import TracezTestSupport

@testable import TracezPage

/// The page over real HTTP on loopback: `TracezPageServer` on a free port, read with
/// AsyncHTTPClient; `/tracez.json` decoded with Foundation's `JSONSerialization`, not with the
/// page's own types.
@Suite(.timeLimit(.minutes(2))) struct TracezPageServerTests {
    /// Runs `body` with a page server on a free port; returns what `body` returns.
    private func withServer<T: Sendable>(
        _ page: TracezPage,
        _ body: @Sendable (_ base: String) async throws -> T
    ) async throws -> T {
        let port = SanitizedMutex<Int?>(nil)
        let server = Task {
            try await TracezPageServer(page: page, port: 0, logger: Self.quiet) { listening in port.withLock { $0 = listening } }.run()
        }
        defer { server.cancel() }
        try await waitUntil("the page server listens") { port.withLock { $0 } != nil }
        return try await body("http://127.0.0.1:\(port.withLock { $0 }!)")
    }

    private func get(_ url: String) async throws -> (status: Int, body: String, contentType: String?) {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 16 << 20)
        return (Int(response.status.code), String(buffer: body), response.headers.first(name: "content-type"))
    }

    @Test func theJSONMatchesTheCollectorsOwnStatistics() async throws {
        let exporter = InMemoryExporter()
        let collector = try Collector(configuration: CollectorConfiguration(name: "memory", capacity: 64))
        let pipeline = try ExportPipeline(collector: collector, exporter: exporter, configuration: ExportConfiguration(interval: .seconds(3600)))
        let page = try TracezPage(pipelines: [pipeline])
        let tracer = Tracer(pipelines: [pipeline], collectors: [page.flightRecorder])
        for index in 0..<7 {
            tracer.withSpan("job") { span in
                if index == 3 { span.setStatus(SpanStatus(code: .error, message: "no")) }
                tracer.startSpan("step", context: span.context).end()
            }
        }
        // Export some, leave the rest buffered: both kinds of count must match.
        let batch = collector.drain(max: 5)
        batch.markExported()
        try await withServer(page) { base in
            let (status, body, contentType) = try await get(base + "/tracez.json")
            #expect(status == 200)
            #expect(contentType == "application/json")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
            let statistics = collector.statistics  // the page is quiet: nothing moves between the two reads

            let pipelines = try #require(json["pipelines"] as? [[String: Any]])
            let summary = try #require(pipelines.first?["collector"] as? [String: Any])
            #expect(summary["name"] as? String == "memory")
            #expect(summary["recorded"] as? Int == statistics.recorded)
            #expect(summary["exported"] as? Int == statistics.exported)
            #expect(summary["buffered"] as? Int == statistics.buffered)
            #expect(summary["pending"] as? Int == statistics.pending)
            #expect(summary["capacity"] as? Int == statistics.capacity)
            #expect(summary["droppedTotal"] as? Int == statistics.dropped.total)
            let dropped = try #require(summary["dropped"] as? [String: Int])
            for reason in DropReason.allCases { #expect(dropped[reason.rawValue] == statistics.dropped[reason]) }
            #expect(statistics.recorded == 14 && statistics.exported == 5 && statistics.buffered == 9)
            #expect(pipelines.first?["circuit"] as? String == "closed")

            let names = try #require(json["spanNames"] as? [[String: Any]])
            #expect(names.compactMap { $0["name"] as? String } == ["job", "step"])
            #expect(names.compactMap { $0["count"] as? Int } == [7, 7])
            #expect(names.compactMap { $0["errors"] as? Int } == [1, 0])
            let recorder = try #require(json["flightRecorder"] as? [String: Any])
            #expect(recorder["exported"] as? Int == page.flightRecorder.statistics.exported)
            #expect(recorder["exported"] as? Int == 14)
        }
        _ = await pipeline.shutdown(deadline: .now + .seconds(5))
    }

    @Test func hostileNamesAreEscapedAndEverySampleLinkLeadsToItsTrace() async throws {
        let page = try TracezPage()
        let tracer = Tracer(collectors: [page.flightRecorder])
        let names = [#"<script>alert("x")</script>"#, "a&b=c%20 d/é?", "日本語 span", "'quoted' \"twice\""]
        for name in names {
            tracer.withSpan(name) { span in
                span.setStatus(SpanStatus(code: .error, message: "<b>bad</b>"))
                tracer.startSpan("child of \(name)", context: span.context).end()
            }
        }
        try await withServer(page) { base in
            let (status, html, contentType) = try await get(base + "/tracez")
            #expect(status == 200)
            #expect(contentType == "text/html; charset=utf-8")
            #expect(!html.contains("<script>"))
            #expect(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"))
            #expect(html.contains("日本語 span"))

            let links = Self.hrefs(in: html).filter { $0.hasPrefix("tracez/samples?") }
            // Every name has a bucket link, and those with errors (the roots) an errors link too.
            #expect(links.count == names.count * 3)
            for link in links {
                let (status, samples, _) = try await get(base + "/" + link)
                #expect(status == 200, "\(link)")
                #expect(samples.contains("<pre>trace "), "no trace tree at \(link)")
                #expect(!samples.contains("<script>") && !samples.contains("<b>bad</b>"))
            }
            let errors = try #require(links.first { $0.hasSuffix("&errors") && $0.contains("%3Cscript%3E") })
            let (_, samples, _) = try await get(base + "/" + errors)
            #expect(samples.contains("ERROR &lt;b&gt;bad&lt;/b&gt;"))
        }
    }

    @Test func badSampleQueriesAreAnsweredWith400() async throws {
        let page = try TracezPage()
        try await withServer(page) { base in
            for query in ["", "?name=x", "?name=x&bucket=8", "?name=x&bucket=-1", "?name=x&bucket=abc", "?bucket=1"] {
                #expect(try await get(base + "/tracez/samples" + query).status == 400, "\(query)")
            }
            let (status, body, _) = try await get(base + "/tracez/samples?name=unknown&bucket=0")
            #expect(status == 200)
            #expect(body.contains("No sample"))
        }
    }

    @Test func thePageMountsOnAnApplicationsRouterUnderAPathOfItsOwn() async throws {
        let page = try TracezPage()
        let tracer = Tracer(collectors: [page.flightRecorder])
        tracer.withSpan("mounted") { _ in }
        let router = Router()
        page.addRoutes(to: router, at: "debug/tracez")
        let port = SanitizedMutex<Int?>(nil)
        let application = Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in port.withLock { $0 = channel.localAddress?.port } },
            logger: Self.quiet
        )
        let server = Task { try await application.run() }
        defer { server.cancel() }
        try await waitUntil("the application listens") { port.withLock { $0 } != nil }
        let base = "http://127.0.0.1:\(port.withLock { $0 }!)/debug/"
        let (status, html, _) = try await get(base + "tracez")
        #expect(status == 200)
        let link = try #require(Self.hrefs(in: html).first { $0.hasPrefix("tracez/samples?name=mounted") })
        #expect(try await get(base + link).body.contains("<pre>trace "))
        #expect(try await get(base + "tracez.json").status == 200)
        #expect(html.contains("href=\"tracez.json\""))
    }

    /// The servers log their cancellation at the end of each test as an error: not news here.
    static let quiet = Logger(label: "tracez.page.tests", factory: { _ in SwiftLogNoOpLogHandler() })

    /// The `href` values of `html`, with `&amp;` read back as `&`.
    static func hrefs(in html: String) -> [String] {
        html.components(separatedBy: "href=\"").dropFirst().compactMap { $0.split(separator: "\"", maxSplits: 1).first }
            .map { $0.replacingOccurrences(of: "&amp;", with: "&") }
    }
}
