import Foundation
import Synchronization
import Testing
import Tracez

@testable import TracezHTTP

/// The contract between ``HTTPExporter`` and its ``HTTPExportEncoding``, without a network:
/// every request is sent in order with its headers, and its answer reaches the encoding with
/// its part, non-2xx statuses and transport failures already classified.
@Suite(.timeLimit(.minutes(1))) struct HTTPExporterTests {
    /// Answers the requests with `replies`, in order, and keeps what was sent.
    final class ScriptedTransport: HTTPTransport {
        let sent = SanitizedMutex<[HTTPRequest]>([])
        let replies: SanitizedMutex<[Result<HTTPResponse, TransportError>]>

        init(_ replies: [Result<HTTPResponse, TransportError>]) {
            self.replies = SanitizedMutex(replies)
        }

        func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
            sent.withLock { $0.append(request) }
            let reply = replies.withLock { $0.isEmpty ? .success(HTTPResponse(status: 200)) : $0.removeFirst() }
            return try reply.get()
        }

        func shutdown() async {}
    }

    /// One request per record, the record's name as its body and part; keeps the answers it reads.
    final class PerRecordEncoding: HTTPExportEncoding {
        let seen = SanitizedMutex<[(part: String, result: Result<HTTPResponse, ExportError>)]>([])

        func encode(_ batch: [SpanRecord]) -> HTTPEncodedBatch<String> {
            HTTPEncodedBatch(
                requests: batch.map { HTTPEncodedRequest(body: Array($0.name.utf8), contentType: "text/plain", contentEncoding: "identity", part: $0.name) },
                tooLarge: []
            )
        }

        func outcome(of batch: [SpanRecord], tooLarge: [Int], answers: [(part: String, result: Result<HTTPResponse, ExportError>)]) -> ExportError? {
            seen.withLock { $0 = answers }
            let failures = answers.compactMap { answer -> String? in
                if case .failure(let error) = answer.result { return "\(answer.part): \(error)" }
                return nil
            }
            return failures.isEmpty ? nil : .transient(reason: failures.joined(separator: "; "))
        }
    }

    static func record(_ name: String, id: UInt64) -> SpanRecord {
        SpanRecord(
            context: SpanContext(traceID: TraceID(high: 1, low: 2), spanID: SpanID(id)),
            parentSpanID: nil,
            name: name,
            kind: .internal,
            startNanoseconds: 1_700_000_000_000_000_000,
            endNanoseconds: 1_700_000_001_000_000_000
        )
    }

    @Test func everyRequestIsSentInOrderAndItsClassifiedAnswerReachesTheEncodingWithItsPart() async throws {
        let transport = ScriptedTransport([
            .success(HTTPResponse(status: 207, body: Array("per record".utf8))),
            .success(HTTPResponse(status: 503, headers: [(name: "Retry-After", value: "7")])),
            .failure(.timedOut),
            .success(HTTPResponse(status: 401, body: Array("key token-1234 unknown".utf8))),
        ])
        let encoding = PerRecordEncoding()
        let exporter = HTTPExporter(
            endpoint: try HTTPEndpoint("https://collector.example/v1/traces"),
            headers: [(name: "Authorization", value: "token-1234")],
            timeout: .seconds(3),
            transport: transport,
            encoding: encoding
        )
        let batch = ["a", "b", "c", "d"].enumerated().map { Self.record($1, id: UInt64($0 + 1)) }
        await #expect {
            try await exporter.export(batch)
        } throws: { error in
            // The reason the encoding built holds the echoed header value; the exporter cleans it.
            guard let failure = error as? ExportError, failure.code == .transient else { return false }
            let reason = failure.reason
            return !reason.contains("token-1234") && reason.contains("[redacted]")
        }

        let sent = transport.sent.withLock { $0 }
        #expect(sent.map { String(decoding: $0.body, as: UTF8.self) } == ["a", "b", "c", "d"])
        #expect(sent.allSatisfy { $0.method == "POST" && $0.timeout == .seconds(3) && $0.endpoint.host == "collector.example" })
        #expect(sent[0].headers.map(\.name) == ["Authorization", "Content-Type", "Content-Encoding"])
        #expect(sent[0].headers.map(\.value) == ["token-1234", "text/plain", "identity"])

        let seen = encoding.seen.withLock { $0 }
        #expect(seen.map(\.part) == ["a", "b", "c", "d"])
        guard case .success(let multiStatus) = seen[0].result, case .failure(let throttled) = seen[1].result, throttled.code == .transient,
            case .failure(let timedOut) = seen[2].result, timedOut.code == .transient, timedOut.retryAfter == nil,
            case .failure(let refused) = seen[3].result, refused.code == .rejected
        else {
            Issue.record("answers reached the encoding as \(seen.map(\.result))")
            return
        }
        #expect(multiStatus.status == 207 && multiStatus.body == Array("per record".utf8))
        #expect(throttled.retryAfter == .seconds(7))
        #expect(timedOut.reason == TransportError.timedOut.description)
        #expect(refused.status == 401)
    }

    @Test func aBatchWhoseAnswersAreAllAcceptedThrowsNothing() async throws {
        let exporter = HTTPExporter(
            endpoint: try HTTPEndpoint("https://collector.example"),
            transport: ScriptedTransport([]),
            encoding: PerRecordEncoding()
        )
        try await exporter.export([Self.record("a", id: 1), Self.record("b", id: 2)])
        #expect("\(exporter)" == "HTTPExporter(https://collector.example, headers: [])")
    }
}
