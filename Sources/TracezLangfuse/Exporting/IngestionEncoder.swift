import Foundation
import Tracez

/// Turns span records into ingestion events: per finished observation one create event
/// of its type with every field, per root span (or span continuing a remote trace) a
/// `trace-create`, per span below the root that sets trace fields a `trace-create` with
/// those fields, per score a `score-create`.
struct IngestionEncoder: Sendable {
    typealias Name = LangfuseAttributeName

    /// Send `agent-create`, `tool-create`, … (newer servers) rather than `span-create`.
    var sendsNewObservationTypes = false
    /// Environment and release for events that do not carry their own.
    var environment: String?
    var release: String?
    /// Where a field replaced to fit ``maxEventBytes`` is counted (as truncated): the
    /// exporter's value counters, so that `valueStatistics` reports it.
    var counters: LangfuseValueShaper.Counters?

    /// Events at most this long (bytes of JSON); larger ones lose the largest of input,
    /// output and metadata to a marker until they fit. The official Python SDK's limit.
    static let maxEventBytes = 1_000_000

    func events(for records: [SpanRecord]) -> [IngestionEvent] {
        var events: [IngestionEvent] = []
        events.reserveCapacity(records.count + records.count / 4)
        // The trace fields of each trace made in this batch: a span below the root that sets
        // no others (every observation inside `withTrace` carries them) sends no update.
        var madeTraces: [TraceID: [String: JSONValue]] = [:]
        var updatedTraces: [TraceID: [[String: JSONValue]]] = [:]
        for record in records where Self.makesTrace(record) {
            let attributes = Self.attributes(of: record)
            if case .object(let fields) = traceBody(record, attributes, isUpdate: true) {
                madeTraces[record.traceID] = fields
            }
        }
        for (index, record) in records.enumerated() {
            let attributes = Self.attributes(of: record)
            if case .string(let body)? = attributes[Name.scoreBody] {
                let parsed = Self.json(body)
                events.append(IngestionEvent(id: "\(record.spanID.hexString)-score", type: "score-create", body: parsed, record: index))
                continue
            }
            if Self.makesTrace(record) {
                events.append(IngestionEvent(id: "\(record.traceID.hexString)-trace", type: "trace-create", body: traceBody(record, attributes), record: index))
            } else if Self.carriesTraceFields(attributes), case .object(let fields) = traceBody(record, attributes, isUpdate: true),
                !fields.allSatisfy({ key, value in madeTraces[record.traceID]?[key] == value }),
                updatedTraces[record.traceID]?.contains(fields) != true
            {
                // Trace fields set below the root (`withTrace` inside a framework's server span)
                // reach the trace too, as the server's OTel path takes them from any span; once
                // per trace and batch for the same fields.
                updatedTraces[record.traceID, default: []].append(fields)
                events.append(
                    IngestionEvent(
                        id: "\(record.traceID.hexString)-trace-\(record.spanID.hexString)", type: "trace-create",
                        body: .object(fields), record: index))
            }
            let (type, body) = observation(record, attributes)
            events.append(IngestionEvent(id: "\(record.spanID.hexString)-\(type)", type: type, body: body, record: index))
            // The span's events (an `exception` among them), which OTLP carries inside the span:
            // each an `event-create` child of its observation, as the OTel endpoint shows them.
            var eventIndex = 0
            record.forEachEvent { event in
                events.append(
                    IngestionEvent(
                        id: "\(record.spanID.hexString)-e\(eventIndex)-event-create", type: "event-create",
                        body: spanEvent(event, index: eventIndex, of: record, attributes), record: index))
                eventIndex += 1
            }
        }
        return events
    }

    // MARK: Bodies

    /// The record's attributes, `stringConvertible` values formatted here, once, within the span's limit.
    static func attributes(of record: SpanRecord) -> [String: SpanAttribute] {
        var attributes: [String: SpanAttribute] = [:]
        record.forEachAttribute { key, value in
            switch value {
            case .stringConvertible(let convertible): attributes[key] = .string(record.exportText(convertible))
            case .stringConvertibleArray(let convertibles): attributes[key] = .stringArray(convertibles.map { record.exportText($0) })
            default: attributes[key] = value
            }
        }
        return attributes
    }

    /// Whether `record` makes its trace: a root span, one that continues another service's
    /// trace, or one marked so (``LangfuseAttributeName/asRoot``).
    static func makesTrace(_ record: SpanRecord) -> Bool {
        if record.parentSpanID == nil || record.parentIsRemote { return true }
        if case .bool(true)? = record.attribute(Name.asRoot) { return true }
        return false
    }

    /// The trace fields a span below the root may set: any of them sends the trace an update.
    static let traceFieldNames = [
        Name.traceName, Name.userID, "langfuse.user.id", Name.sessionID, "langfuse.session.id", Name.traceTags, Name.tracePublic,
        Name.traceInput, Name.traceOutput,
    ]

    static func carriesTraceFields(_ attributes: [String: SpanAttribute]) -> Bool {
        traceFieldNames.contains { attributes[$0] != nil } || attributes.keys.contains { $0.hasPrefix(Name.traceMetadata) }
    }

    /// The `trace-create` body of `record`'s trace. An update (from a span below the root)
    /// carries only the fields the span set: no time, and no name unless it set the trace's.
    func traceBody(_ record: SpanRecord, _ attributes: [String: SpanAttribute], isUpdate: Bool = false) -> JSONValue {
        var body: [String: JSONValue] = ["id": .string(record.traceID.hexString)]
        if !isUpdate {
            body["timestamp"] = .string(LangfuseTime.iso8601(nanoseconds: record.startNanoseconds))
        }
        body["name"] = (Self.string(attributes[Name.traceName]) ?? (isUpdate ? nil : record.name)).map(JSONValue.string)
        body["userId"] = Self.string(attributes[Name.userID] ?? attributes["langfuse.user.id"]).map(JSONValue.string)
        body["sessionId"] = Self.string(attributes[Name.sessionID] ?? attributes["langfuse.session.id"]).map(JSONValue.string)
        if case .stringArray(let tags)? = attributes[Name.traceTags] { body["tags"] = .array(tags.map(JSONValue.string)) }
        if case .bool(let isPublic)? = attributes[Name.tracePublic] { body["public"] = .bool(isPublic) }
        body["input"] = Self.string(attributes[Name.traceInput]).map(Self.json)
        body["output"] = Self.string(attributes[Name.traceOutput]).map(Self.json)
        body["release"] = (Self.string(attributes[Name.release]) ?? release).map(JSONValue.string)
        body["version"] = Self.string(attributes[Name.version]).map(JSONValue.string)
        body["environment"] = validEnvironment(attributes).map(JSONValue.string)
        var metadata = MetadataBudget.entries(of: attributes[Name.traceMetadata])
        metadata.merge(Self.prefixed(Name.traceMetadataPrefix, in: attributes)) { _, own in own }
        if !metadata.isEmpty { body["metadata"] = .object(metadata) }
        return fitted(.object(body.compactMapValues { $0 }))
    }

    func observation(_ record: SpanRecord, _ attributes: [String: SpanAttribute]) -> (type: String, body: JSONValue) {
        let declared = Self.string(attributes[Name.observationType]).flatMap { ObservationType(rawValue: $0.lowercased()) } ?? .span
        var body: [String: JSONValue] = [
            "id": .string(record.spanID.hexString),
            "traceId": .string(record.traceID.hexString),
            "name": .string(record.name),
            "startTime": .string(LangfuseTime.iso8601(nanoseconds: record.startNanoseconds)),
        ]
        if declared != .event { body["endTime"] = .string(LangfuseTime.iso8601(nanoseconds: record.endNanoseconds)) }
        if let parent = record.parentSpanID { body["parentObservationId"] = .string(parent.hexString) }
        body["input"] = Self.string(attributes[Name.input]).map(Self.json)
        body["output"] = Self.string(attributes[Name.output]).map(Self.json)
        body["version"] = Self.string(attributes[Name.version]).map(JSONValue.string)
        body["environment"] = validEnvironment(attributes).map(JSONValue.string)

        var level = Self.string(attributes[Name.level]).flatMap { ObservationLevel(rawValue: $0.uppercased()) }
        if level == nil, record.isError { level = .error }
        body["level"] = level.map { .string($0.rawValue) }
        body["statusMessage"] = (Self.string(attributes[Name.statusMessage]) ?? (record.isError ? record.status?.message : nil)).map(JSONValue.string)

        // Metadata: the observation's own entries, then the span's other attributes (as OTel does).
        var metadata = MetadataBudget.entries(of: attributes[Name.metadata])
        metadata.merge(Self.prefixed(Name.metadataPrefix, in: attributes)) { _, own in own }
        var other: [String: JSONValue] = [:]
        for (key, value) in attributes where !key.hasPrefix("langfuse.") && key != Name.userID && key != Name.sessionID {
            other[key] = Self.plain(value)
        }
        if !other.isEmpty { metadata["attributes"] = .object(other) }
        // What the span limits cut, which OTLP carries in fields of its own.
        var limits: [String: JSONValue] = [:]
        for (name, count) in [
            ("droppedAttributes", record.droppedAttributeCount), ("droppedEvents", record.droppedEventCount),
            ("droppedLinks", record.droppedLinkCount), ("truncatedValues", record.truncatedValueCount),
        ] where count > 0 {
            limits[name] = .number(Double(count))
        }
        if !limits.isEmpty { metadata["tracez.limits"] = .object(limits) }

        let type: String
        switch declared {
        case .span: type = "span-create"
        case .event: type = "event-create"
        case .generation: type = "generation-create"
        case .embedding where !sendsNewObservationTypes:
            // Generation-like in the Python SDK: model, usage and cost are kept on servers that
            // do not know `embedding-create`, and the type is said in the metadata.
            type = "generation-create"
            metadata["observationType"] = .string(declared.rawValue)
        default:
            if sendsNewObservationTypes {
                type = "\(declared.rawValue)-create"
            } else {
                type = "span-create"
                metadata["observationType"] = .string(declared.rawValue)
            }
        }
        if !metadata.isEmpty { body["metadata"] = .object(metadata) }

        // Generation fields: the generation-shaped bodies carry them (see below for the others).
        do {
            body["model"] = Self.string(attributes[Name.model]).map(JSONValue.string)
            body["modelParameters"] = Self.string(attributes[Name.modelParameters]).map(Self.json).map(Self.modelParameters)
            body["usageDetails"] = Self.string(attributes[Name.usageDetails]).map(Self.json)
            body["costDetails"] = Self.string(attributes[Name.costDetails]).map(Self.json)
            // JSON text (a quoted string), as the SDKs send it; a bare time is read too.
            body["completionStartTime"] = Self.string(attributes[Name.completionStartTime]).map { text in
                if case .string(let time)? = JSONParser.parse(text) { return .string(time) }
                return .string(text)
            }
            if let name = Self.string(attributes[Name.promptName]), let version = Self.int(attributes[Name.promptVersion]) {
                body["promptName"] = .string(name)
                body["promptVersion"] = .integer(Int64(version))
            }
        }
        if type == "generation-create", !sendsNewObservationTypes, let usage = Self.legacyUsage(body["usageDetails"], body["costDetails"]) {
            // Servers before v3 know only this object and strip `usageDetails` and `costDetails`.
            body["usage"] = usage
        }
        if type == "span-create" || type == "event-create" {
            // Span and event bodies have no generation fields; the server would drop them.
            for key in ["model", "modelParameters", "usageDetails", "costDetails", "completionStartTime", "promptName", "promptVersion"] {
                body[key] = nil
            }
        }
        return (type, fitted(.object(body.compactMapValues { $0 })))
    }

    /// The `event-create` body of `record`'s span event number `index`: a point in time (no
    /// end), its attributes as metadata, and an `exception` as an error with its message.
    func spanEvent(_ event: SpanRecord.Event, index: Int, of record: SpanRecord, _ attributes: [String: SpanAttribute]) -> JSONValue {
        var body: [String: JSONValue] = [
            "id": .string("\(record.spanID.hexString)-e\(index)"),
            "traceId": .string(record.traceID.hexString),
            "parentObservationId": .string(record.spanID.hexString),
            "name": .string(event.name),
            "startTime": .string(LangfuseTime.iso8601(nanoseconds: event.nanoseconds)),
        ]
        body["environment"] = validEnvironment(attributes).map(JSONValue.string)
        var metadata: [String: JSONValue] = [:]
        event.attributes.forEach { key, value in
            switch value {
            case .stringConvertible(let convertible): metadata[key] = .string(record.exportText(convertible))
            default: metadata[key] = Self.plain(value)
            }
        }
        if event.droppedAttributeCount > 0 { metadata["tracez.limits"] = .object(["droppedAttributes": .integer(Int64(event.droppedAttributeCount))]) }
        if !metadata.isEmpty { body["metadata"] = .object(metadata) }
        if event.name == "exception" {
            body["level"] = .string(ObservationLevel.error.rawValue)
            let message = [metadata["exception.type"], metadata["exception.message"]].compactMap { value -> String? in
                if case .string(let text)? = value { return text } else { return nil }
            }
            if !message.isEmpty { body["statusMessage"] = .string(message.joined(separator: ": ")) }
        }
        return fitted(.object(body.compactMapValues { $0 }))
    }

    private func validEnvironment(_ attributes: [String: SpanAttribute]) -> String? {
        let name = Self.string(attributes[Name.environment]) ?? environment
        return name.flatMap { LangfuseEnvironment.isValid($0) ? $0 : nil }
    }

    /// The legacy `usage` object (`input`, `output`, `total`, `unit`, and the costs as
    /// `inputCost`, `outputCost`, `totalCost`) for servers that predate `usageDetails`: the same
    /// numbers, so a server that reads both stores the same thing. `nil` without any of them.
    static func legacyUsage(_ usageDetails: JSONValue?, _ costDetails: JSONValue?) -> JSONValue? {
        var usage: [String: JSONValue] = [:]
        if case .object(let details)? = usageDetails {
            for key in ["input", "output", "total"] {
                if let value = details[key], case .integer = value { usage[key] = value }
            }
        }
        if case .object(let costs)? = costDetails {
            for (key, name) in [("input", "inputCost"), ("output", "outputCost"), ("total", "totalCost")] {
                switch costs[key] {
                case .number(let value)?: usage[name] = .number(value)
                case .integer(let value)?: usage[name] = .number(Double(value))
                default: break
                }
            }
        }
        guard !usage.isEmpty else { return nil }
        if usage["input"] != nil || usage["output"] != nil || usage["total"] != nil { usage["unit"] = .string("TOKENS") }
        return .object(usage)
    }

    /// `parameters` as the ingestion schema takes them: each value a string, number, boolean
    /// or array of strings; any other value (a map such as `logit_bias`, an array of objects)
    /// as its JSON text, as the server's OTel path stores it. The schema refuses the whole
    /// event otherwise. (The server also takes a map of strings to strings, the SDKs' model
    /// does not: maps are always sent as text.) Parameters that are not an object are
    /// sent as `{"value": <their JSON text>}`.
    static func modelParameters(_ parameters: JSONValue) -> JSONValue {
        guard case .object(let fields) = parameters else { return .object(["value": .string(parameters.jsonText)]) }
        return .object(
            fields.mapValues { value in
                switch value {
                case .string, .number, .integer, .bool, .null: value
                case .array(let items) where items.allSatisfy({ if case .string = $0 { true } else { false } }): value
                default: .string(value.jsonText)
                }
            })
    }

    // MARK: Size

    /// The body with the largest of input, output and metadata replaced by a marker until
    /// the event fits in ``maxEventBytes``; each replacement is counted in ``counters``.
    func fitted(_ body: JSONValue) -> JSONValue {
        var replaced = 0
        let fitted = Self.fitted(body, replaced: &replaced)
        if replaced > 0 { counters?.truncated.add(replaced, ordering: .relaxed) }
        return fitted
    }

    /// ``fitted(_:)``, counting the replacements in `replaced`.
    static func fitted(_ body: JSONValue, replaced: inout Int) -> JSONValue {
        guard case .object(var fields) = body else { return body }
        // Most events are far below the limit: a bound that needs no encoding says so.
        guard body.jsonBytesUpperBound > maxEventBytes - 1_000 else { return body }
        while JSONValue.object(fields).jsonText.utf8.count > maxEventBytes - 1_000 {
            let candidates = ["input", "output", "metadata"].compactMap { key in
                fields[key].map { (key: key, size: $0.jsonText.utf8.count) }
            }
            guard let largest = candidates.max(by: { $0.size < $1.size }), largest.size > 200 else { break }
            fields[largest.key] = .object(["tracez.truncated": .bool(true), "bytes": .number(Double(largest.size))])
            replaced += 1
        }
        return .object(fields)
    }

    // MARK: Reading attributes

    static func string(_ value: SpanAttribute?) -> String? {
        switch value {
        case .string(let string)?: string
        case .stringConvertible(let value)?: String(describing: value)
        default: nil
        }
    }

    static func int(_ value: SpanAttribute?) -> Int? {
        switch value {
        case .int64(let int)?: Int(int)
        case .int32(let int)?: Int(int)
        case .string(let text)?: Int(text)
        default: nil
        }
    }

    /// JSON text as a value; text that is not JSON stays a string.
    static func json(_ text: String) -> JSONValue {
        JSONParser.parse(text) ?? .string(text)
    }

    static func prefixed(_ prefix: String, in attributes: [String: SpanAttribute]) -> [String: JSONValue] {
        var result: [String: JSONValue] = [:]
        for (key, value) in attributes where key.hasPrefix(prefix) {
            let name = String(key.dropFirst(prefix.count))
            result[name] = string(value).map(json) ?? plain(value)
        }
        return result
    }

    static func plain(_ value: SpanAttribute) -> JSONValue {
        switch value {
        case .string(let v): .string(v)
        case .stringConvertible(let v): .string(String(describing: v))
        case .int32(let v): .integer(Int64(v))
        case .int64(let v): .integer(v)
        case .double(let v): JSONValueEncoder.number(v)
        case .bool(let v): .bool(v)
        case .stringArray(let v): .array(v.map(JSONValue.string))
        case .int32Array(let v): .array(v.map { .integer(Int64($0)) })
        case .int64Array(let v): .array(v.map { .integer($0) })
        case .doubleArray(let v): .array(v.map(JSONValueEncoder.number))
        case .boolArray(let v): .array(v.map(JSONValue.bool))
        case .stringConvertibleArray(let v): .array(v.map { .string(String(describing: $0)) })
        default: .string("\(value)")
        }
    }
}
