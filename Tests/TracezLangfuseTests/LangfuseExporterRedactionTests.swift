import Foundation
import Logging
import Synchronization
import Testing
import Tracez
import TracezTestSupport

@testable import TracezLangfuse

extension LangfuseTests {
    /// Ingestion goes through the same HTTP exporter as OTLP: a backend that echoes a request
    /// header (the Basic credentials, the public key) into its 207 answer finds it redacted
    /// in what the pipeline is told and in the log line of the refused event.
    @Suite struct ExporterRedactionTests {
        /// Refuses every event of a batch with a message that repeats the Authorization header.
        struct EchoingTransport: HTTPTransport {
            func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
                let authorization = request.headers.first { $0.name == "Authorization" }?.value ?? ""
                let object = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any]
                let batch = object?["batch"] as? [[String: Any]] ?? []
                let errors = batch.map { event in
                    ["id": event["id"] as? String ?? "", "status": 400, "message": "bad header \(authorization)"] as [String: Any]
                }
                let body = (try? JSONSerialization.data(withJSONObject: ["successes": [], "errors": errors])) ?? Data()
                return HTTPResponse(status: 207, headers: [(name: "Content-Type", value: "application/json")], body: Array(body))
            }

            func shutdown() async {}
        }

        @Test func aKeyEchoedInA207AnswerIsRedactedInTheErrorAndTheLog() async throws {
            let secretKey = "sk-lf-echoed-secret"
            let configuration = try LangfuseConfiguration(
                publicKey: "pk-lf-echoed-public",
                secretKey: secretKey,
                baseURL: try HTTPEndpoint("https://langfuse.example"),
                api: .ingestion
            )
            let credentials = Data("pk-lf-echoed-public:\(secretKey)".utf8).base64EncodedString()
            let logs = CapturedLogs()
            let exporter = LangfuseExporter(
                configuration: configuration,
                transport: EchoingTransport(),
                logger: logs.logger(label: "redaction")
            )
            let record = SpanRecord(
                context: SpanContext(traceID: TraceID(high: 1, low: 2), spanID: SpanID(3)),
                parentSpanID: nil,
                name: "echoed",
                kind: .internal,
                startNanoseconds: 1_700_000_000_000_000_000,
                endNanoseconds: 1_700_000_001_000_000_000
            )
            do {
                try await exporter.export([record])
                Issue.record("a batch whose every event was refused was accepted")
            } catch let error as ExportError {
                let text = "\(error)"
                #expect(text.contains("bad header [redacted]"), "\(text)")
                #expect(!text.contains(credentials) && !text.contains(secretKey))
                guard error.code == .perRecord, let dropped = error.dropped, let retry = error.retry else {
                    Issue.record("expected per-record results, got \(error)")
                    return
                }
                #expect(dropped[.rejectedByBackend] == 1 && retry.isEmpty)
            }
            let logged = logs.lines.map(\.text)
            #expect(!logged.isEmpty)
            #expect(logged.allSatisfy { !$0.contains(credentials) && !$0.contains(secretKey) }, "\(logged)")
            #expect(logged.contains { $0.contains("[redacted]") }, "\(logged)")
            await exporter.shutdown()
        }
    }
}
