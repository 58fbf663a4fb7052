import Foundation
import Tracez

/// A Tracez span seen as a Langfuse observation: typed setters for every field Langfuse
/// shows, written as the `langfuse.*` attributes of its OTel endpoint.
///
/// Made by `tracer.withObservation`, `withGeneration` and friends, or around any span
/// with ``init(_:)``. Input, output, metadata and the generation maps take any
/// `Encodable`, sent as JSON after the redaction mask and within the size and depth caps
/// (a marker, counted, replaces a value beyond them).
///
/// The mask, the caps and the default trace fields (environment, release) are those of the
/// ``LangfuseExporter`` of the tracer that records the span, found when the observation is
/// made: every mask and the smallest caps if the tracer has several. A tracer that exports
/// through no ``LangfuseExporter`` (an OTLP exporter pointed at Langfuse, an
/// `InMemoryExporter`), and a span that is not recording, get no mask, the default
/// caps (``LangfuseConfiguration/defaultMaxValueBytes``, 128 levels) and no default fields;
/// their markers are counted in counters shared process-wide that no exporter reports.
///
/// Thread-safety: a value holding a reference to its span; every setter takes the span's
/// lock, so it may be called from any task. Setters after the span ended are ignored.
public struct Observation: Sendable {
    typealias Name = LangfuseAttributeName

    /// The span underneath: its context, events, status and end work as for any span.
    public let span: Tracez.Span
    /// The tracer that records the span (`nil` if it was not recording when wrapped): where
    /// ``score(name:value:comment:metadata:)`` records, even after the span ended.
    private let tracer: Tracez.Tracer?
    /// The tracer's value settings, looked up once here rather than by every setter.
    private let shaper: LangfuseValueShaper

    /// Wraps `span`; its type is whatever it was given (``ObservationType/span`` if none).
    ///
    /// - Complexity: O(pipelines of the span's tracer), to find its Langfuse exporters.
    public init(_ span: Tracez.Span) {
        self.span = span
        self.tracer = span.recordingTracer
        self.shaper = LangfuseValueShaper.of(tracer)
    }

    /// Wraps a new span as an observation of `type` that carries the trace fields: the
    /// defaults of the tracer's ``LangfuseExporter``, then those of the current task's ``TraceAttributes``.
    init(_ span: Tracez.Span, type: ObservationType) {
        self.init(span)
        let defaults = shaper.defaults
        let (budget, maxBytes) = (metadataBudget, shaper.maxValueBytes)
        span.set(Name.observationType, type.rawValue)
        let context = ServiceContext.current ?? .topLevel
        let readsBaggage = context.baggage != nil && TraceAttributesHook.readsBaggage(in: tracer)
        let trace = TraceAttributesHook.traceAttributes(in: context, readsBaggage: readsBaggage) ?? TraceAttributes()
        let dropped = defaults.merging(trace).write(into: span, metadataBudget: budget, maxMergedBytes: maxBytes)
        shaper.countDroppedTraceFields(dropped.droppedFields)
        shaper.countDroppedMetadata(dropped.droppedMetadata)
    }

    /// How many attributes the span may hold before metadata entries are merged (``MetadataBudget``).
    private var metadataBudget: Int {
        MetadataBudget.keyBudget(maxAttributes: tracer?.configuration.limits.maxAttributes ?? SpanLimits().maxAttributes)
    }

    /// Scores this observation, during or after it: a ``Score`` whose target is its trace and span.
    ///
    /// Recorded like `Tracer.recordScore(_:)`, sampled with the observation's trace:
    /// an observation that is not recorded gets no score either.
    ///
    /// - Throws: ``ScoreError`` when Langfuse would refuse the score.
    public func score(name: String, value: Score.Value, comment: String? = nil, metadata: [String: JSONValue]? = nil) throws(ScoreError) {
        let context = span.spanContext
        let score = try Score(name: name, value: value, target: .observation(context.traceID, context.spanID), comment: comment, metadata: metadata)
        tracer?.recordScore(score)
    }

    public func setType(_ type: ObservationType) {
        span.set(Name.observationType, type.rawValue)
    }

    public func setInput(_ value: some Encodable) {
        span.set(Name.input, shaper.jsonText(value))
    }

    public func setOutput(_ value: some Encodable) {
        span.set(Name.output, shaper.jsonText(value))
    }

    /// One metadata entry (`langfuse.observation.metadata.<key>`).
    ///
    /// Metadata never pushes a typed field (model, usage, input, …) off the span: past the
    /// span's attribute budget, entries are merged into one metadata value, and past what
    /// that holds they are left out and counted (``LangfuseValueStatistics/droppedMetadata``).
    public func setMetadata(_ key: String, _ value: some Encodable) {
        let (text, json) = shaper.shaped(value)
        // As the Python SDK sets them: an integer or a boolean as a typed attribute, a string as
        // itself, anything else as JSON text.
        let attribute: SpanAttribute
        switch json {
        case .integer(let integer): attribute = .int64(integer)
        case .bool(let bool): attribute = .bool(bool)
        default: attribute = .string(text)
        }
        let (budget, maxBytes) = (metadataBudget, shaper.maxValueBytes)
        var kept = true
        span.updateAttributes { attributes in
            kept = MetadataBudget.set(
                key, value: json, attribute: attribute, prefix: Name.metadataPrefix, merged: Name.metadata,
                in: &attributes, budget: budget, maxMergedBytes: maxBytes)
        }
        if !kept { shaper.countDroppedMetadata(1) }
    }

    /// `ERROR` also sets the span's status to error, so OTel backends agree.
    public func setLevel(_ level: ObservationLevel) {
        span.set(Name.level, level.rawValue)
        if level == .error { span.setStatus(SpanStatus(code: .error)) }
    }

    public func setStatusMessage(_ message: String) {
        span.set(Name.statusMessage, message)
    }

    public func setVersion(_ version: String) {
        span.set(Name.version, version)
    }

    // MARK: Generations

    public func setModel(_ name: String) {
        span.set(Name.model, name)
    }

    /// Temperature, max tokens, …: any `Encodable` map, sent as JSON.
    public func setModelParameters(_ parameters: some Encodable) {
        span.set(Name.modelParameters, shaper.jsonText(parameters))
    }

    /// Token counts: `input`, `output`, `total`, and any other named count (`cache_read`, …).
    /// Negative counts are left out and counted (``LangfuseValueStatistics/droppedUsageValues``):
    /// Langfuse accepts only non-negative integers, and would refuse the whole generation.
    /// Counts whose JSON is over the size cap become the size marker, counted as truncated.
    public func setUsage(input: Int? = nil, output: Int? = nil, total: Int? = nil, other: [String: Int] = [:]) {
        let details = Self.sortedDetails(input: input, output: output, total: total, other: other)
        // Written as integers, not through `JSONValue` (whose numbers are doubles): Langfuse
        // refuses a whole generation whose usage holds `9.223372036854776e+18`.
        var writer = JSONWriter(capacity: 2 + 24 * details.count)
        var dropped = 0
        writer.object { object in
            for (key, count) in details {
                guard count >= 0 else {
                    dropped += 1
                    continue
                }
                object.member(key) { $0.number(count) }
            }
        }
        span.set(Name.usageDetails, shaper.withinSizeCap(writer.text))
        shaper.countDroppedUsageValues(dropped)
    }

    /// Costs in USD, by the same names as the usage. Negative or non-finite costs are left out
    /// and counted (``LangfuseValueStatistics/droppedUsageValues``).
    public func setCost(input: Double? = nil, output: Double? = nil, total: Double? = nil, other: [String: Double] = [:]) {
        let details = Self.sortedDetails(input: input, output: output, total: total, other: other)
        let accepted = details.filter { $0.value.isFinite && $0.value >= 0 }
        shaper.countDroppedUsageValues(details.count - accepted.count)
        guard shaper.masks.isEmpty else {
            // A mask is given the `JSONValue`.
            let json = JSONValue.object(Dictionary(accepted, uniquingKeysWith: { _, last in last }).mapValues(JSONValue.number))
            span.set(Name.costDetails, shaper.shaped(json: json).text)
            return
        }
        // The text `JSONValue.object(…).jsonText` would be, written directly.
        var writer = JSONWriter(capacity: 2 + 32 * accepted.count)
        writer.object { object in
            for (key, cost) in accepted {
                object.member(key) { JSONValue.write(number: cost, to: &$0) }
            }
        }
        span.set(Name.costDetails, shaper.withinSizeCap(writer.text))
    }

    /// `input`, `output` and `total` (those given) with `other`, sorted by key as JSON objects
    /// are written here; a named value replaces `other`'s of the same name.
    ///
    /// A sorted list, not a dictionary: benchmark "Langfuse generation: …" showed the dictionary,
    /// its sorted keys and the `JSONValue` built from them as 6 of a generation's allocations.
    private static func sortedDetails<Value>(
        input: Value?,
        output: Value?,
        total: Value?,
        other: [String: Value]
    ) -> [(key: String, value: Value)] {
        var details: [(key: String, value: Value)] = []
        details.reserveCapacity(other.count + 3)
        for (key, value) in other {
            let replaced = (input != nil && key == "input") || (output != nil && key == "output") || (total != nil && key == "total")
            if !replaced { details.append((key, value)) }
        }
        if let input { details.append(("input", input)) }
        if let output { details.append(("output", output)) }
        if let total { details.append(("total", total)) }
        details.sort { $0.key < $1.key }
        return details
    }

    /// When the first token arrived (streaming): ISO-8601 with `Z`, sent as JSON text (a
    /// quoted string), as both official SDKs send it and as older servers parse it.
    public func setCompletionStartTime(_ date: Date) {
        span.set(Name.completionStartTime, JSONValue.string(LangfuseTime.iso8601(date)).jsonText)
    }

    /// The managed prompt this generation used: name and version together, as Langfuse requires.
    public func setPrompt(name: String, version: Int) {
        span.updateAttributes { attributes in
            attributes[Name.promptName] = name
            attributes[Name.promptVersion] = version
        }
    }

    /// The trace's input (`langfuse.trace.input`), as Langfuse before v4 shows it.
    ///
    /// Deprecated as both official SDKs deprecated it: Langfuse v4 ignores the attribute and
    /// shows the trace's root observation's input as the trace's. Set that with
    /// ``setInput(_:)`` on the root observation. Still sent, for older servers.
    @available(*, deprecated, message: "Langfuse v4 shows the root observation's input as the trace's: call setInput(_:) on the root observation")
    public func setTraceInput(_ value: some Encodable) {
        span.set(Name.traceInput, shaper.jsonText(value))
    }

    /// The trace's output (`langfuse.trace.output`), as Langfuse before v4 shows it.
    ///
    /// Deprecated for the reason ``setTraceInput(_:)`` is: call ``setOutput(_:)`` on the root observation.
    @available(*, deprecated, message: "Langfuse v4 shows the root observation's output as the trace's: call setOutput(_:) on the root observation")
    public func setTraceOutput(_ value: some Encodable) {
        span.set(Name.traceOutput, shaper.jsonText(value))
    }

    /// Trace-level fields, on this observation (and so on its trace).
    public func setTrace(_ trace: TraceAttributes) {
        let (budget, maxBytes) = (metadataBudget, shaper.maxValueBytes)
        let dropped = trace.write(into: span, metadataBudget: budget, maxMergedBytes: maxBytes)
        shaper.countDroppedTraceFields(dropped.droppedFields)
        shaper.countDroppedMetadata(dropped.droppedMetadata)
    }
}
