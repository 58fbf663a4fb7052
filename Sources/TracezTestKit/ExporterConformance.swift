import Tracez

/// Checks an `Exporter` against the contract `ExportPipeline` relies on: for
/// the authors of exporters, as swift-log documents what a `LogHandler` must do.
///
/// Give it a way to make your exporter pointed at a backend that accepts what it is sent (a
/// test server on loopback), and check that nothing failed, from any test framework:
///
/// ```swift
/// let failures = await ExporterConformance().check { MyExporter(endpoint: server.url) }
/// #expect(failures.isEmpty, "\(failures)")
/// ```
///
/// Each check makes a new exporter, calls it as the pipeline would, and then calls `shutdown()`:
/// - **accepts a batch**: `export(_:)` of ordinary records returns;
/// - **survives hostile records**: records with what users and LLMs put in spans (a 1 MiB
///   string, NaN and infinities, the extremes of `Int64`, empty and blank keys, control
///   characters and every plane of Unicode, the `SpanLimits` maxima of events and links,
///   a zero-length span) are sent or refused with an error, never a trap;
/// - **honours cancellation**: an export whose task is cancelled ends;
/// - **shuts down**: `shutdown()` after the last export returns, and so does a second one;
/// - **keeps secrets**: neither the exporter's description, its reflection (what `dump`
///   and debuggers show), nor any error it threw repeats one of `secrets`.
///
/// A check that does not end within ``timeLimit`` fails as hung; its task is cancelled and
/// left behind.
///
/// Thread-safety: a value; ``check(secrets:_:)`` may run from any task.
public struct ExporterConformance: Sendable {
    /// What one check found wrong.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// The check, as named in ``ExporterConformance``: "accepts a batch", "hangs", ….
        public let check: String
        /// What happened instead.
        public let reason: String

        public var description: String { "\(check): \(reason)" }
    }

    /// The longest one call of the exporter may take.
    public var timeLimit: Duration

    public init(timeLimit: Duration = .seconds(30)) {
        self.timeLimit = timeLimit
    }

    /// Runs every check on exporters made by `makeExporter`; returns what failed (nothing: it conforms).
    ///
    /// - Parameters:
    ///   - secrets: Keys, tokens and header values the exporter was given; each must
    ///     appear in no description and no error.
    ///   - makeExporter: Makes a new exporter pointed at a backend that accepts what it is
    ///     sent; called once per check.
    public func check<E: Exporter>(
        secrets: [String] = [],
        _ makeExporter: @escaping @Sendable () async throws -> E
    ) async -> [Failure] {
        var failures: [Failure] = []
        var errors: [String] = []

        func run(_ name: String, _ body: @escaping @Sendable (E) async throws -> Void) async {
            let exporter: E
            do {
                exporter = try await makeExporter()
            } catch {
                failures.append(Failure(check: name, reason: "making the exporter threw \(error)"))
                return
            }
            for text in [String(describing: exporter), String(reflecting: exporter), Self.dumped(exporter)] {
                if let secret = Self.repeated(secrets, in: text) {
                    failures.append(Failure(check: "keeps secrets", reason: "the exporter's description repeats a secret of \(secret.utf8.count) bytes"))
                }
            }
            switch await Self.withinTimeLimit(timeLimit, { try await body(exporter) }) {
            case .returned: break
            case .threw(let error):
                errors.append(String(describing: error))
                if name == "accepts a batch" {
                    failures.append(Failure(check: name, reason: "export threw \(error)"))
                }
            case .hung:
                failures.append(Failure(check: name, reason: "did not end within \(timeLimit)"))
            }
            if case .hung = await Self.withinTimeLimit(timeLimit, { await exporter.shutdown() }) {
                failures.append(Failure(check: name, reason: "shutdown() did not end within \(timeLimit)"))
            }
        }

        await run("accepts a batch") { exporter in
            try await exporter.export(ConformanceRecords.ordinary())
        }
        await run("survives hostile records") { exporter in
            try await exporter.export(ConformanceRecords.hostile())
        }
        await run("honours cancellation") { exporter in
            let export = Task { try await exporter.export(ConformanceRecords.ordinary()) }
            export.cancel()
            _ = await export.result  // a cancelled export may return or throw; it must end
        }
        await run("shuts down") { exporter in
            try await exporter.export(ConformanceRecords.ordinary())
            await exporter.shutdown()  // the second call comes from `run`
        }
        for error in errors {
            if let secret = Self.repeated(secrets, in: error) {
                failures.append(Failure(check: "keeps secrets", reason: "an error repeats a secret of \(secret.utf8.count) bytes"))
            }
        }
        return failures
    }

    // MARK: Helpers

    private enum Outcome: Sendable {
        case returned
        case threw(any Error)
        case hung
    }

    /// Runs `body`, waiting at most `limit` for it; a body that outlives the limit is cancelled and left running.
    private static func withinTimeLimit(_ limit: Duration, _ body: @escaping @Sendable () async throws -> Void) async -> Outcome {
        let work = Task<Void, any Error> { try await body() }
        let outcome = AsyncStream<Outcome>.makeStream()
        let waiter = Task {
            switch await work.result {
            case .success: _ = outcome.continuation.yield(.returned)
            case .failure(let error): _ = outcome.continuation.yield(.threw(error))
            }
        }
        let timer = Task {
            try? await Task.sleep(for: limit)
            _ = outcome.continuation.yield(.hung)
        }
        var first: Outcome = .hung
        for await result in outcome.stream {
            first = result
            break
        }
        timer.cancel()
        if case .hung = first { work.cancel() } else { await waiter.value }
        return first
    }

    private static func dumped(_ value: some Any) -> String {
        var text = ""
        dump(value, to: &text)
        return text
    }

    /// The first of `secrets` (8 bytes or longer: a shorter one may appear by chance) that `text` repeats.
    private static func repeated(_ secrets: [String], in text: String) -> String? {
        secrets.first { secret in
            // UTF-8 bytes, not Foundation's `contains`, which reads a needle only up to a NUL on Linux.
            secret.utf8.count >= 8 && text.utf8.firstRange(of: secret.utf8) != nil
        }
    }
}
