import Synchronization
import Testing
import Tracez
import TracezTestKit

/// The conformance checks pass a conforming exporter and catch each way of breaking the contract.
/// The OTLP and Langfuse exporters run them against their loopback servers in their own test targets.
@Suite(.timeLimit(.minutes(2))) struct ExporterConformanceTests {
    @Test func theInMemoryExporterConforms() async throws {
        let exporters = SanitizedMutex<[InMemoryExporter]>([])
        let failures = await ExporterConformance().check {
            let exporter = InMemoryExporter()
            exporters.withLock { $0.append(exporter) }
            return exporter
        }
        #expect(failures.isEmpty, "\(failures)")
        // Every check made its own exporter, exported to it and shut it down.
        let made = exporters.withLock { $0 }
        #expect(made.count == 4)
        #expect(made.allSatisfy { $0.isShutDown })
        #expect(made[0].records.map(\.name) == ["GET /inventory", "charge card", "POST /checkout"])
        #expect(made[1].records.count == 6)
    }

    @Test func theStdoutExporterConforms() async throws {
        let failures = await ExporterConformance().check { StdoutExporter(format: .jsonLines, write: { _ in }) }
        #expect(failures.isEmpty, "\(failures)")
    }

    /// Refuses every batch.
    struct RefusingExporter: Exporter {
        func export(_ batch: [SpanRecord]) async throws { throw ExportError.rejected(status: 400, reason: "no") }
    }

    @Test func anExporterThatRefusesAnOrdinaryBatchFails() async throws {
        let failures = await ExporterConformance().check { RefusingExporter() }
        #expect(failures.map(\.check) == ["accepts a batch"])
    }

    /// Waits forever on export and on shutdown, deaf to cancellation.
    struct HangingExporter: Exporter {
        func export(_ batch: [SpanRecord]) async throws { await Self.hang() }
        func shutdown() async { await Self.hang() }
        /// Continuations never resumed: cancelling a task parked here does not end its wait.
        static let parked = SanitizedMutex<[CheckedContinuation<Void, Never>]>([])
        static func hang() async {
            await withCheckedContinuation { continuation in parked.withLock { $0.append(continuation) } }
        }
    }

    @Test func anExporterThatHangsFailsEveryCheckWithoutHangingTheChecks() async throws {
        let failures = await ExporterConformance(timeLimit: .milliseconds(200)).check { HangingExporter() }
        let checks = Set(failures.map(\.check))
        #expect(checks == ["accepts a batch", "survives hostile records", "honours cancellation", "shuts down"])
        #expect(failures.contains { $0.reason.contains("shutdown() did not end") })
    }

    /// Prints its token in its description, and in the error it throws.
    struct LeakingExporter: Exporter, CustomStringConvertible {
        let token = "tok-0123456789abcdef"
        var description: String { "LeakingExporter(token: \(token))" }
        func export(_ batch: [SpanRecord]) async throws {
            if batch.count > 3 { throw ExportError.transient(reason: "refused with Bearer \(token)") }
        }
    }

    @Test func anExporterThatRepeatsASecretFails() async throws {
        let failures = await ExporterConformance().check(secrets: ["tok-0123456789abcdef"]) { LeakingExporter() }
        #expect(failures.contains { $0.check == "keeps secrets" && $0.reason.contains("description") })
        #expect(failures.contains { $0.check == "keeps secrets" && $0.reason.contains("an error") })
        #expect(!failures.contains { $0.description.contains("tok-0123456789abcdef") })
    }
}
