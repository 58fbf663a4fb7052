import Foundation
import OTLPProto
import Synchronization
import Tracez
import TracezTestSupport

/// A Langfuse server on loopback for tests: a real HTTP server (``TestBackend``) that applies
/// the rules Langfuse's server applies (its public API definitions and source) and answers as it does.
///
/// - Auth: `Authorization: Basic base64(publicKey:secretKey)` or 401.
/// - `POST /api/public/otel/v1/traces`: protobuf (gzip or not), decoded with the
///   protoc-generated code; a span without a valid trace or span id fails the request with 400;
///   `x-langfuse-ingestion-version` above 4 is 400.
/// - `POST /api/public/ingestion`: JSON only, over 4.5 MB is 413; each event is checked
///   (id, timestamp and body times parsed as ISO-8601 with a zone, known type, `body.id`,
///   level, prompt pair, environment, score target) and answered in a 207 with `successes` and `errors`.
///   An event without `body.id` is answered as a success and dropped, as Langfuse does:
///   ``silentlyDropped`` counts them so tests can insist on zero.
///
/// - `GET /api/public/v2/prompts/{name}?version=&label=`: the prompts given to
///   ``addPrompt(_:)``, by version, else label, else the label `production` (`latest` is the
///   newest version); the name must arrive path-escaped as one segment; 404 with Langfuse's
///   message when there is no such prompt. ``promptRequests`` keeps each request's URI.
///
/// Faults are scripted with ``fail(next:with:)``, ``failEvents(_:)``, and for prompt requests
/// only, ``failPrompts(with:)``.
final class LangfuseTestServer: Sendable {
    typealias Request = Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceRequest
    typealias Span = Opentelemetry_Proto_Trace_V1_Span

    struct State {
        var spans: [Span] = []
        var resources: [[String: String]] = []
        /// Accepted events, as the JSON text they arrived in.
        var events: [Data] = []
        var eventTypes: [String] = []
        var ruleViolations: [String] = []
        var silentlyDropped = 0
        var wholeFailures: [TestBackend.Reply] = []
        /// Event id → status to answer for it, consumed on use.
        var eventFailures: [String: [Int]] = [:]
        var eventFailureRule: (@Sendable ([String: Any]) -> Int?)?
        var otelRequests = 0
        var ingestionRequests = 0
        var largestIngestionRequest = 0
        /// Prompt name → its versions, as the JSON Langfuse answers.
        var prompts: [String: [(version: Int, labels: [String], json: Data)]] = [:]
        var promptRequests: [String] = []
        /// How every prompt request is answered until cleared, whatever it asks.
        var promptFailure: TestBackend.Reply?
    }

    let backend = TestBackend()
    let publicKey: String
    let secretKey: String
    /// Whether it takes `agent-create` and the other newer event types (v3 servers do; v2 do not).
    let acceptsNewObservationTypes: Bool
    private let state = SanitizedMutex(State())

    init(publicKey: String = "pk-lf-test-1234", secretKey: String = "sk-lf-test-secret-5678", acceptsNewObservationTypes: Bool = false) {
        self.publicKey = publicKey
        self.secretKey = secretKey
        self.acceptsNewObservationTypes = acceptsNewObservationTypes
    }

    var url: String { backend.url }
    var spans: [Span] { state.withLock { $0.spans } }
    /// Resource attributes of each OTel request (string values).
    var resources: [[String: String]] { state.withLock { $0.resources } }
    /// Accepted events, parsed.
    var events: [[String: Any]] {
        state.withLock { $0.events }.compactMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
    }
    var eventTypes: [String] { state.withLock { $0.eventTypes } }
    var ruleViolations: [String] { state.withLock { $0.ruleViolations } }
    var silentlyDropped: Int { state.withLock { $0.silentlyDropped } }
    var otelRequests: Int { state.withLock { $0.otelRequests } }
    var ingestionRequests: Int { state.withLock { $0.ingestionRequests } }
    var largestIngestionRequest: Int { state.withLock { $0.largestIngestionRequest } }
    /// The URI (path and query, as sent) of every prompt request, in order, failed ones included.
    var promptRequests: [String] { state.withLock { $0.promptRequests } }

    /// A prompt version to serve: `prompt` is a string (text) or a list of messages and
    /// placeholders (chat), as Langfuse stores them.
    struct StoredPrompt {
        var name: String
        var version: Int
        var labels: [String] = []
        var prompt: Any
        var config: Any = [String: Any]()
        var tags: [String] = []
    }

    /// Serves `prompt` from now on; a version already served under its name is replaced.
    func addPrompt(_ prompt: StoredPrompt) {
        let object: [String: Any] = [
            "name": prompt.name, "version": prompt.version, "type": prompt.prompt is String ? "text" : "chat", "prompt": prompt.prompt,
            "config": prompt.config, "labels": prompt.labels, "tags": prompt.tags, "commitMessage": NSNull(),
        ]
        let json = try! JSONSerialization.data(withJSONObject: object)
        state.withLock { state in
            state.prompts[prompt.name, default: []].removeAll { $0.version == prompt.version }
            state.prompts[prompt.name, default: []].append((prompt.version, prompt.labels, json))
        }
    }

    /// Every prompt request is answered with `reply` (a status, a hang, a reset) until this is
    /// called with `nil`; other requests are not affected.
    func failPrompts(with reply: TestBackend.Reply?) {
        state.withLock { $0.promptFailure = reply }
    }

    /// The next requests are answered with these replies, whatever they hold.
    func fail(next replies: [TestBackend.Reply]) {
        state.withLock { $0.wholeFailures += replies }
    }

    /// Events for which `rule` returns a status fail with it (once per call of the rule).
    func failEvents(_ rule: @escaping @Sendable ([String: Any]) -> Int?) {
        state.withLock { $0.eventFailureRule = rule }
    }

    func start() async throws {
        backend.answer { [self] _, request in answer(request) }
        try await backend.start()
    }

    func stop() async throws { try await backend.stop() }

    private func answer(_ request: TestBackend.Request) -> TestBackend.Reply {
        let isPromptRequest = request.uri.hasPrefix("/api/public/v2/prompts")
        if isPromptRequest {
            let failure = state.withLock { state in
                state.promptRequests.append(request.uri)
                return state.promptFailure
            }
            if let failure { return failure }
        }
        if let reply = state.withLock({ $0.wholeFailures.isEmpty ? nil : $0.wholeFailures.removeFirst() }) { return reply }
        let expected = "Basic " + Data("\(publicKey):\(secretKey)".utf8).base64EncodedString()
        guard request.header("Authorization") == expected else {
            return .status(401, body: #"{"message":"Invalid credentials. Confirm that you've configured the correct host."}"#)
        }
        if isPromptRequest { return prompt(request) }
        guard request.method == "POST" else { return .status(405) }
        switch request.uri {
        case "/api/public/otel/v1/traces": return otel(request)
        case "/api/public/ingestion": return ingestion(request)
        default: return .status(404, body: #"{"message":"not found"}"#)
        }
    }

    // MARK: Prompts

    private func prompt(_ request: TestBackend.Request) -> TestBackend.Reply {
        guard request.method == "GET" else { return .status(405) }
        let parts = request.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let escapedName = parts[0].dropFirst("/api/public/v2/prompts/".count)
        // One path segment, escaped: a raw `/` would route elsewhere on Langfuse's server.
        guard !escapedName.isEmpty, !escapedName.contains("/"), !escapedName.contains(" "), let name = escapedName.removingPercentEncoding else {
            return .status(404, body: #"{"message":"route not found"}"#)
        }
        var query: [String: String] = [:]
        for item in (parts.count > 1 ? parts[1] : "").split(separator: "&") {
            let pair = item.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
            query[pair[0]] = pair.count > 1 ? pair[1] : ""
        }
        let versions = state.withLock { $0.prompts[name] ?? [] }
        var found: (version: Int, labels: [String], json: Data)?
        if let text = query["version"] {
            guard let version = Int(text) else { return .status(400, body: #"{"message":"Invalid request data: version"}"#) }
            let label = query["label"]
            found = versions.first { stored in stored.version == version && (label.map { stored.labels.contains($0) } ?? true) }
        } else {
            let label = query["label"] ?? "production"
            found = label == "latest" ? versions.max { $0.version < $1.version } : versions.first { $0.labels.contains(label) }
        }
        guard let found else {
            return .status(404, body: #"{"error":"LangfuseNotFoundError","message":"Prompt not found"}"#)
        }
        return .status(200, headers: [("Content-Type", "application/json")], body: String(decoding: found.json, as: UTF8.self))
    }

    // MARK: OTel endpoint

    private func otel(_ request: TestBackend.Request) -> TestBackend.Reply {
        state.withLock { $0.otelRequests += 1 }
        if let version = request.header("x-langfuse-ingestion-version"), (Int(version) ?? 99) > 4 {
            return .status(400, body: #"{"message":"unsupported ingestion version"}"#)
        }
        guard request.header("Content-Type") == "application/x-protobuf" else { return .status(415) }
        do {
            let body = request.header("Content-Encoding") == "gzip" ? try gunzip(request.body) : request.body
            let message = try Request(serializedBytes: body)
            let spans = message.resourceSpans.flatMap(\.scopeSpans).flatMap(\.spans)
            guard spans.allSatisfy({ $0.traceID.count == 16 && $0.spanID.count == 8 }) else {
                return .status(400, body: #"{"message":"span without a valid trace or span id"}"#)
            }
            // What the Python SDK never sends (it drops the field with a warning): a trace field
            // over 200 characters.
            for span in spans {
                for attribute in span.attributes where Self.traceFieldKeys.contains(attribute.key) || attribute.key.hasPrefix("langfuse.trace.metadata.") {
                    var texts = [attribute.value.stringValue]
                    if case .arrayValue(let array)? = attribute.value.value { texts = array.values.map(\.stringValue) }
                    if texts.contains(where: { $0.unicodeScalars.count > 200 }) {
                        state.withLock { $0.ruleViolations.append("\(attribute.key) over 200 characters") }
                    }
                }
            }
            let resources = message.resourceSpans.map { resource in
                Dictionary(resource.resource.attributes.map { ($0.key, $0.value.stringValue) }, uniquingKeysWith: { a, _ in a })
            }
            state.withLock {
                $0.spans += spans
                $0.resources += resources
            }
            return .status(200, headers: [("Content-Type", "application/x-protobuf")])
        } catch {
            return .status(400, body: #"{"message":"cannot decode"}"#)
        }
    }

    /// The trace fields the Python SDK keeps to 200 characters (metadata values too).
    static let traceFieldKeys: Set = ["user.id", "langfuse.user.id", "session.id", "langfuse.session.id", "langfuse.trace.tags"]

    // MARK: Ingestion endpoint

    static let knownTypes: Set = [
        "trace-create", "span-create", "span-update", "generation-create", "generation-update", "event-create", "score-create", "sdk-log",
    ]
    static let newTypes: Set = [
        "agent-create", "tool-create", "chain-create", "retriever-create", "evaluator-create", "embedding-create", "guardrail-create",
    ]

    private func ingestion(_ request: TestBackend.Request) -> TestBackend.Reply {
        state.withLock {
            $0.ingestionRequests += 1
            $0.largestIngestionRequest = max($0.largestIngestionRequest, request.body.count)
        }
        guard request.header("Content-Type")?.hasPrefix("application/json") == true else { return .status(415) }
        guard request.header("Content-Encoding") == nil else { return .status(400, body: #"{"message":"no gzip on ingestion"}"#) }
        guard request.body.count <= 4_500_000 else { return .status(413, body: #"{"message":"Request body too large"}"#) }
        guard let object = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any],
            let batch = object["batch"] as? [[String: Any]]
        else { return .status(400, body: #"{"message":"not a batch"}"#) }

        var successes: [[String: Any]] = []
        var errors: [[String: Any]] = []
        for event in batch {
            let id = event["id"] as? String ?? ""
            let violations = check(event)
            if !violations.isEmpty {
                state.withLock { $0.ruleViolations += violations.map { "\(id): \($0)" } }
                errors.append(["id": id, "status": 400, "message": violations.joined(separator: "; ")])
                continue
            }
            let body = event["body"] as? [String: Any] ?? [:]
            if body["id"] == nil {
                state.withLock { $0.silentlyDropped += 1 }
                successes.append(["id": id, "status": 201])
                continue
            }
            if let status = state.withLock({ $0.eventFailureRule?(event) }) {
                errors.append(["id": id, "status": status, "message": status >= 500 ? "Internal Server Error" : "Invalid request data"])
                continue
            }
            let text = (try? JSONSerialization.data(withJSONObject: event)) ?? Data()
            let type = event["type"] as? String ?? ""
            state.withLock {
                $0.events.append(text)
                $0.eventTypes.append(type)
            }
            successes.append(["id": id, "status": 201])
        }
        let answer = try! JSONSerialization.data(withJSONObject: ["successes": successes, "errors": errors])
        return .status(207, headers: [("Content-Type", "application/json")], body: String(decoding: answer, as: UTF8.self))
    }

    /// The body keys each event type's model declares in langfuse 4.18.0 (read from its pydantic
    /// models by `.ci/interop/langfuse_check.py`, which checks the captures against the models
    /// themselves). Langfuse strips any other key silently, so a misspelled field is lost:
    /// here it fails the request's event, in seconds.
    static let bodyKeys: [String: Set<String>] = {
        let span: Set = [
            "endTime", "environment", "id", "input", "level", "metadata", "name", "output", "parentObservationId", "startTime", "statusMessage", "traceId",
            "version",
        ]
        let generation = span.union(["completionStartTime", "costDetails", "model", "modelParameters", "promptName", "promptVersion", "usage", "usageDetails"])
        var keys: [String: Set<String>] = [
            "trace-create": [
                "environment", "id", "input", "metadata", "name", "output", "public", "release", "sessionId", "tags", "timestamp", "userId", "version",
            ],
            "span-create": span, "span-update": span,
            "event-create": span.subtracting(["endTime"]),
            "generation-create": generation, "generation-update": generation,
            "score-create": [
                "comment", "configId", "dataType", "datasetRunId", "environment", "id", "metadata", "name", "observationId", "queueId", "sessionId", "traceId",
                "value",
            ],
            "sdk-log": ["log"],
        ]
        for type in newTypes { keys[type] = generation }
        return keys
    }()

    /// The rules of NOTES.md for one event; empty when it passes.
    func check(_ event: [String: Any]) -> [String] {
        var problems: [String] = []
        guard let id = event["id"] as? String, (1...800).contains(id.count), !id.contains("\r") else { return ["bad event id"] }
        guard let timestamp = event["timestamp"] as? String, Self.hasZone(timestamp) else { return ["timestamp without a zone"] }
        guard let type = event["type"] as? String,
            Self.knownTypes.contains(type) || (acceptsNewObservationTypes && Self.newTypes.contains(type))
        else { return ["unknown type \(event["type"] ?? "nil")"] }
        guard let body = event["body"] as? [String: Any] else { return ["no body"] }
        let unknown = Set(body.keys).subtracting(Self.bodyKeys[type] ?? [])
        if !unknown.isEmpty { problems.append("\(type) body keys Langfuse does not know, dropped silently: \(unknown.sorted())") }
        for key in ["timestamp", "startTime", "endTime", "completionStartTime"] {
            if let time = body[key] {
                guard let text = time as? String, Self.hasZone(text) else {
                    problems.append("\(key) without a zone")
                    continue
                }
            }
        }
        if let level = body["level"], !["DEBUG", "DEFAULT", "WARNING", "ERROR"].contains(level as? String ?? "") {
            problems.append("bad level \(level)")
        }
        if (body["promptName"] == nil) != (body["promptVersion"] == nil) { problems.append("promptName without promptVersion") }
        if let environment = body["environment"] as? String,
            environment.count > 40 || environment.hasPrefix("langfuse")
                || environment.contains(where: { !($0.isLowercase || $0.isNumber || $0 == "-" || $0 == "_") })
        {
            problems.append("environment '\(environment)' would become 'default'")
        }
        if type == "score-create" {
            let targets = ["traceId", "sessionId", "datasetRunId"].filter { body[$0] != nil }
            if targets.count != 1 { problems.append("score needs exactly one target, has \(targets)") }
            if body["observationId"] != nil, body["traceId"] == nil { problems.append("observationId without traceId") }
            if body["name"] as? String == nil { problems.append("score without name") }
        }
        if type == "trace-create" {
            let texts = [body["userId"], body["sessionId"]].compactMap { $0 as? String } + (body["tags"] as? [String] ?? [])
            if texts.contains(where: { $0.unicodeScalars.count > 200 }) { problems.append("trace field over 200 characters") }
        }
        if let usage = body["usageDetails"] as? [String: Any], usage.values.contains(where: { ($0 as? Int ?? -1) < 0 }) {
            problems.append("usageDetails must be non-negative integers")
        }
        if let parameters = body["modelParameters"] {
            let refused = (parameters as? [String: Any])?.filter { !Self.isModelParameterValue($0.value) }.keys.sorted()
            if let refused, !refused.isEmpty {
                problems.append("modelParameters values Langfuse's schema refuses: \(refused)")
            } else if refused == nil {
                problems.append("modelParameters is not an object")
            }
        }
        return problems
    }

    /// What the ingestion schema takes as a model parameter's value: a string, a number, a
    /// boolean, an array of strings, or a map of strings to strings (anything else fails the event).
    static func isModelParameterValue(_ value: Any) -> Bool {
        switch value {
        case is NSNull: true
        case let number as NSNumber: !(number.doubleValue.isNaN)
        case is String: true
        case let array as [Any]: array.allSatisfy { $0 is String }
        case let map as [String: Any]: map.values.allSatisfy { $0 is String }
        default: false
        }
    }

    /// Whether `text` is an ISO-8601 date and time with a zone (`Z` or an offset), as Langfuse
    /// requires: parsed with Foundation's `ISO8601DateFormatter`, with and without fractional
    /// seconds, so a 13th month or a 25th hour fails as well as a missing zone.
    static func hasZone(_ text: String) -> Bool {
        parseTime(text) != nil
    }

    static func parseTime(_ text: String) -> Date? {
        // The formatter's internet date-time format requires the zone; say so explicitly too,
        // so a more lenient formatter on another platform cannot let a local time through.
        guard text.hasSuffix("Z") || text.suffix(6).first.map({ $0 == "+" || $0 == "-" }) == true else { return nil }
        for options: ISO8601DateFormatter.Options in [[.withInternetDateTime], [.withInternetDateTime, .withFractionalSeconds]] {
            let formatter = ISO8601DateFormatter()  // not Sendable: one per call
            formatter.formatOptions = options
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }
}
