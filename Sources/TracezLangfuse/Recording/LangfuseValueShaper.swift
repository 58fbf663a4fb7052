import Synchronization
import Tracez

/// How input, output and metadata values are shaped before they are put on a span: the
/// redaction masks, then the depth and size caps; and the trace fields every observation
/// starts with.
///
/// Ownership: each ``LangfuseExporter`` makes one from its configuration and owns it. An
/// ``Observation`` finds the shaper of the tracer that records its span with
/// ``of(_:)``: that tracer's Langfuse exporter's, several exporters' combined, or
/// ``default`` when the tracer exports through no ``LangfuseExporter``.
///
/// Thread-safety: immutable settings and atomic counters; every member may be used from
/// any task.
final class LangfuseValueShaper: Sendable {
    typealias Mask = @Sendable (JSONValue) -> JSONValue

    /// The truncated and unencodable counts of one exporter (or of ``default``).
    final class Counters: Sendable {
        let truncated = Atomic<Int>(0)
        let unencodable = Atomic<Int>(0)
        let droppedTraceFields = Atomic<Int>(0)
        let droppedMetadata = Atomic<Int>(0)
        let droppedUsageValues = Atomic<Int>(0)
    }

    /// Applied in order, each to the previous one's answer.
    let masks: [Mask]
    let maxValueBytes: Int
    let maxDepth: Int
    /// The trace fields every observation starts with (environment and release from the configuration).
    let defaults: TraceAttributes
    /// The counters this shaper owns: the ones its exporter reports.
    let counters: Counters
    /// Where truncations and unencodable values are counted: this shaper's own counters, or,
    /// for a tracer with several Langfuse exporters, each of theirs, so every exporter's
    /// statistics count what its tracer's observations lost.
    private let countedIn: [Counters]
    /// What ``capped(at:)`` made last; it refers to none of this shaper, so no cycle.
    private let lastCapped = SanitizedMutex<LangfuseValueShaper?>(nil)

    /// The shaper of a tracer that exports through no ``LangfuseExporter``: no mask, the
    /// default caps, no default trace fields. Its counters are shared by every such tracer
    /// in the process, and no exporter reports them.
    static let `default` = LangfuseValueShaper(
        masks: [],
        maxValueBytes: LangfuseConfiguration.defaultMaxValueBytes,
        maxDepth: JSONValue.defaultMaxDepth,
        defaults: TraceAttributes()
    )

    /// A shaper with counters of its own. The caps are raised to their minimums (256 bytes,
    /// one level), as ``LangfuseConfiguration/validate()`` requires, in case a configuration
    /// was changed after it was checked.
    init(masks: [Mask], maxValueBytes: Int, maxDepth: Int, defaults: TraceAttributes) {
        self.masks = masks
        self.maxValueBytes = max(256, maxValueBytes)
        self.maxDepth = max(1, maxDepth)
        self.defaults = defaults
        let counters = Counters()
        self.counters = counters
        self.countedIn = [counters]
    }

    /// The shaper of a Langfuse exporter's `configuration`.
    convenience init(configuration: LangfuseConfiguration) {
        self.init(
            masks: configuration.mask.map { [$0] } ?? [],
            maxValueBytes: configuration.maxValueBytes,
            maxDepth: configuration.maxValueDepth,
            defaults: TraceAttributes(release: configuration.release, environment: configuration.environment)
        )
    }

    /// Several exporters' shapers as one, privacy first: every mask, in the order given, and
    /// the smallest caps, so no configured mask or cap is ever skipped; the default trace
    /// fields of the first. Counts go to each of them.
    private init(combining shapers: [LangfuseValueShaper]) {
        masks = shapers.flatMap(\.masks)
        maxValueBytes = shapers.map(\.maxValueBytes).min() ?? LangfuseConfiguration.defaultMaxValueBytes
        maxDepth = shapers.map(\.maxDepth).min() ?? JSONValue.defaultMaxDepth
        defaults = shapers.first?.defaults ?? TraceAttributes()
        counters = Counters()  // unread: a combination is made per observation and reported by no one
        countedIn = shapers.flatMap(\.countedIn)
    }

    /// The shaper for observations recorded by `tracer`: that of its pipelines' Langfuse
    /// exporter, those of several combined in pipeline order, or ``default`` when it has
    /// none (or when `tracer` is `nil`, a span that is not recording).
    ///
    /// - Complexity: O(pipelines), a dynamic cast each; allocates only for a tracer with
    ///   more than one Langfuse exporter. Called once per observation, not per value.
    ///
    /// Its size cap is at most the tracer's `SpanLimits.maxAttributeValueBytes`: a value over
    /// that becomes a marker here, where it is counted, rather than be cut by the tracer in
    /// the middle of its JSON.
    static func of(_ tracer: Tracez.Tracer?) -> LangfuseValueShaper {
        guard let tracer else { return .default }
        let shapers = tracer.pipelines.compactMap { ($0.exporter as? LangfuseExporter)?.valueShaper }
        let shaper: LangfuseValueShaper
        switch shapers.count {
        case 0: shaper = .default
        case 1: shaper = shapers[0]
        default: shaper = LangfuseValueShaper(combining: shapers)
        }
        let tracerCap = tracer.configuration.limits.maxAttributeValueBytes
        return shaper.maxValueBytes <= tracerCap ? shaper : shaper.capped(at: tracerCap)
    }

    /// This shaper with its size cap lowered to `cap`: the one made last time if it has that
    /// cap. A tracer's observations all ask for the same cap, and the default shaper (1 MB)
    /// is over the default span limit (128 KiB), so making one per observation was an
    /// allocation for every observation (benchmark "Langfuse generation: …").
    private func capped(at cap: Int) -> LangfuseValueShaper {
        lastCapped.withLock { last in
            if let last, last.maxValueBytes == max(256, cap) { return last }
            let shaper = LangfuseValueShaper(capping: self, at: cap)
            last = shaper
            return shaper
        }
    }

    /// `shaper` with a smaller size cap, counting where it counts.
    private init(capping shaper: LangfuseValueShaper, at maxValueBytes: Int) {
        masks = shaper.masks
        self.maxValueBytes = max(256, maxValueBytes)
        maxDepth = shaper.maxDepth
        defaults = shaper.defaults
        counters = shaper.counters
        countedIn = shaper.countedIn
    }

    /// What ``counters`` hold now.
    var statistics: LangfuseValueStatistics {
        LangfuseValueStatistics(
            truncated: counters.truncated.load(ordering: .relaxed),
            unencodable: counters.unencodable.load(ordering: .relaxed),
            droppedTraceFields: counters.droppedTraceFields.load(ordering: .relaxed),
            droppedMetadata: counters.droppedMetadata.load(ordering: .relaxed),
            droppedUsageValues: counters.droppedUsageValues.load(ordering: .relaxed)
        )
    }

    private func countTruncated() {
        for counters in countedIn { counters.truncated.add(1, ordering: .relaxed) }
    }

    /// Counts trace fields left out for being over ``TraceAttributes/maxFieldCharacters``.
    func countDroppedTraceFields(_ count: Int) {
        guard count > 0 else { return }
        for counters in countedIn { counters.droppedTraceFields.add(count, ordering: .relaxed) }
    }

    /// Counts metadata entries left out for want of room (``MetadataBudget``).
    func countDroppedMetadata(_ count: Int) {
        guard count > 0 else { return }
        for counters in countedIn { counters.droppedMetadata.add(count, ordering: .relaxed) }
    }

    /// Counts usage counts and costs left out because Langfuse would refuse them.
    func countDroppedUsageValues(_ count: Int) {
        guard count > 0 else { return }
        for counters in countedIn { counters.droppedUsageValues.add(count, ordering: .relaxed) }
    }

    private func countUnencodable() {
        for counters in countedIn { counters.unencodable.add(1, ordering: .relaxed) }
    }

    /// `value` as the text to send: encoded, masked, and within the caps; a string as itself,
    /// anything else as JSON text.
    ///
    /// Never fails, and never follows a value deeper than the depth cap (nor a mask's answer):
    /// - a value that cannot be encoded becomes `{"tracez.unencodable": "<type>"}`;
    /// - one nested deeper than the cap becomes
    ///   `{"tracez.truncated": true, "reason": "nested deeper than 128 levels"}`;
    /// - one over the size cap becomes
    ///   `{"tracez.truncated": true, "reason": "over 1000000 bytes", "bytes": N, "preview": "…"}`.
    /// Each is counted (``Counters``).
    ///
    /// Without masks, written straight from `value` by ``JSONTextEncoder``, the same text
    /// without building the ``JSONValue`` (benchmark "Langfuse generation: …": that tree was
    /// most of a generation's allocations). A mask is given the ``JSONValue``, so with masks
    /// the value is built as ``shaped(_:)`` builds it.
    func jsonText(_ value: some Encodable) -> String {
        guard masks.isEmpty else { return shaped(value).text }
        // As in `shaped(_:)`: a string needs no encoder.
        if let string = value as? String { return withinSizeCap(string) }
        let text: String
        do {
            text = try JSONTextEncoder(maxDepth: maxDepth).encode(value, stringAsItself: true)
        } catch is JSONValueEncoder.TooDeep {
            countTruncated()
            return tooDeepMarker.jsonText
        } catch {
            countUnencodable()
            text = unencodableMarker(for: value).jsonText
        }
        return withinSizeCap(text)
    }

    /// `text`, or the marker that stands for it (counted) when it is over the size cap.
    func withinSizeCap(_ text: String) -> String {
        guard let marker = overSizeMarker(for: text) else { return text }
        return marker.jsonText
    }

    /// What stands for a value nested deeper than the cap.
    private var tooDeepMarker: JSONValue {
        .object(["tracez.truncated": .bool(true), "reason": .string("nested deeper than \(maxDepth) levels")])
    }

    /// ``jsonText(_:)``, and the value it stands for: a string is sent as itself, so its text
    /// alone cannot say whether `123` was a number or a string.
    func shaped(_ value: some Encodable) -> (text: String, value: JSONValue) {
        // Benchmark "Langfuse generation: …": a string, the commonest input and output, needs
        // no encoder (which builds containers for any value).
        if let string = value as? String { return shaped(json: .string(string)) }
        let json: JSONValue
        do {
            json = try JSONValue(encoding: value, maxDepth: maxDepth)
        } catch is JSONValueEncoder.TooDeep {
            countTruncated()
            let marker = tooDeepMarker
            return (marker.jsonText, marker)
        } catch {
            countUnencodable()
            json = unencodableMarker(for: value)
        }
        return shaped(json: json)
    }

    /// What stands for a value that cannot be encoded.
    private func unencodableMarker(for value: some Encodable) -> JSONValue {
        .object(["tracez.unencodable": .string(String(describing: type(of: value)))])
    }

    /// ``shaped(_:)`` for a value already built as JSON (as the typed setters build theirs):
    /// masked, and within the caps.
    func shaped(json: JSONValue) -> (text: String, value: JSONValue) {
        var json = json
        for mask in masks {
            json = mask(json)
            // The mask is the user's code: its answer is measured like any other value, before
            // the next mask is given it.
            if json.isNested(deeperThan: maxDepth) {
                countTruncated()
                JSONValue.releaseIteratively(consume json)  // ours alone, and deep enough to exhaust the stack
                let marker = tooDeepMarker
                return (marker.jsonText, marker)
            }
        }
        // A string is sent as the string itself, not JSON-quoted, as the official SDKs send it:
        // Langfuse stores what it receives, quotes included. Other values go as JSON text.
        let text: String
        if case .string(let string) = json { text = string } else { text = json.jsonText }
        guard let marker = overSizeMarker(for: text) else { return (text, json) }
        return (marker.jsonText, marker)
    }

    /// `nil` for a text within the size cap; for one over it, the marker that stands for it,
    /// counted.
    private func overSizeMarker(for text: String) -> JSONValue? {
        let bytes = text.utf8.count
        guard bytes > maxValueBytes else { return nil }
        countTruncated()
        // A preview on a scalar boundary, leaving room for the marker around it (escaping
        // at most doubles it).
        let preview = text.truncatedToUTF8Bytes(maxValueBytes / 4)
        return JSONValue.object([
            "tracez.truncated": .bool(true),
            "reason": .string("over \(maxValueBytes) bytes"),
            "bytes": .number(Double(bytes)),
            "preview": .string(preview),
        ])
    }
}
