import Synchronization
import Tracing

/// A live, mutable span: one operation in a trace, from start to ``end(at:)``.
///
/// Made by ``Tracer``; prefer `tracer.withSpan(_:)`, which ends the span and
/// records a thrown error for you. A span ends exactly once: the first `end`
/// turns it into a ``SpanRecord`` and hands that to the tracer's collectors;
/// later calls, and any change after the end, are ignored.
///
/// Thread-safety: every member may be called from any task or thread. The
/// span's mutable state sits behind one lock of its own, shared with no other span.
///
/// - Complexity: setting attributes, adding events and ending cost O(1) apart
///   from the attribute dictionary itself; nothing here formats a string,
///   encodes, or waits on I/O.
public final class Span: Tracing.Span, Sendable {
    /// Trace id, span id, sampled flag and trace state of this span.
    public let spanContext: SpanContext
    /// The parent span's id; `nil` for a root span.
    public let parentSpanID: SpanID?
    public let kind: SpanKind
    /// Start time, nanoseconds since the Unix epoch.
    public let startNanoseconds: UInt64

    let parentIsRemote: Bool
    /// The context the span was started in; ``context`` adds this span to it.
    private let parentContext: ServiceContext
    /// `nil` for a non-recording span: nothing is kept and nothing is recorded.
    private let tracer: Tracer?
    private let state: SanitizedMutex<State>

    private struct State {
        var name: String
        var attributes: SpanAttributes = [:]
        var events: [SpanRecord.Event] = []
        var links: [SpanRecord.Link] = []
        var status: SpanStatus?
        var droppedAttributes = 0
        var droppedEvents = 0
        var droppedLinks = 0
        var truncatedValues = 0
        var hasEnded = false
    }

    init(
        name: String,
        kind: SpanKind,
        spanContext: SpanContext,
        parentSpanID: SpanID?,
        parentIsRemote: Bool,
        parentContext: ServiceContext,
        startNanoseconds: UInt64,
        tracer: Tracer?
    ) {
        self.spanContext = spanContext
        self.parentSpanID = parentSpanID
        self.parentIsRemote = parentIsRemote
        self.kind = kind
        self.startNanoseconds = startNanoseconds
        self.parentContext = parentContext
        self.tracer = tracer
        self.state = SanitizedMutex(State(name: name))
    }

    /// The context to run this span's children in: the parent's context with this span's ``spanContext``.
    public var context: ServiceContext {
        var context = parentContext
        context.spanContext = spanContext
        return context
    }

    /// Whether the span is still recording: sampled (or kept for errors) and not yet ended.
    public var isRecording: Bool {
        guard tracer != nil else { return false }
        return state.withLock { !$0.hasEnded }
    }

    public var operationName: String {
        get { state.withLock { $0.name } }
        set {
            guard tracer != nil else { return }
            state.withLock { state in
                guard !state.hasEnded else { return }
                state.name = newValue.isEmpty ? "unnamed" : newValue
            }
        }
    }

    /// The span's attributes. Setting replaces them all, within ``SpanLimits``.
    ///
    /// `span.attributes["key"] = value` copies the dictionary (that is how the
    /// swift-distributed-tracing API is shaped); ``updateAttributes(_:)`` changes it in place.
    public var attributes: SpanAttributes {
        get { state.withLock { $0.attributes } }
        set {
            guard let tracer else { return }
            var newValue = newValue
            state.withLock { state in
                guard !state.hasEnded else { return }
                let limits = tracer.configuration.limits
                let cut = limits.enforce(on: &newValue, maxCount: limits.maxAttributes, existing: state.attributes)
                state.attributes = newValue
                state.droppedAttributes += cut.dropped
                state.truncatedValues += cut.truncated
            }
        }
    }

    /// Changes the attributes in place under the span's lock, then applies ``SpanLimits``.
    ///
    /// The fast way to set several attributes: no copy of the dictionary.
    /// After the span has ended, ``attributes`` reads empty: the values moved into its ``SpanRecord``.
    public func updateAttributes(_ update: (inout SpanAttributes) -> Void) {
        guard let tracer else { return }
        state.withLock { state in
            guard !state.hasEnded else { return }
            update(&state.attributes)
            let limits = tracer.configuration.limits
            // In place there is no copy of the old keys to prefer, so past the cap
            // the dictionary's own order decides which attributes are dropped.
            let cut = limits.enforce(on: &state.attributes, maxCount: limits.maxAttributes)
            state.droppedAttributes += cut.dropped
            state.truncatedValues += cut.truncated
        }
    }

    /// Sets the status. `ok` is final: once set, later changes are ignored.
    /// An `error` without a message keeps an earlier error's message.
    public func setStatus(_ status: SpanStatus) {
        guard tracer != nil else { return }
        state.withLock { state in
            guard !state.hasEnded, state.status?.code != .ok else { return }
            if status.code == .error, status.message == nil, let message = state.status?.message {
                state.status = SpanStatus(code: .error, message: message)
            } else {
                state.status = status
            }
        }
    }

    public func addEvent(_ event: SpanEvent) {
        guard let tracer else { return }
        let limits = tracer.configuration.limits
        var attributes = event.attributes
        let cut = limits.enforce(on: &attributes, maxCount: limits.maxAttributesPerEvent)
        let recordEvent = SpanRecord.Event(
            name: event.name,
            nanoseconds: event.nanosecondsSinceEpoch,
            attributes: attributes,
            droppedAttributeCount: cut.dropped
        )
        state.withLock { state in
            guard !state.hasEnded else { return }
            state.truncatedValues += cut.truncated
            guard state.events.count < limits.maxEvents else {
                state.droppedEvents += 1
                return
            }
            state.events.append(recordEvent)
        }
    }

    /// Records `error` as an `exception` event (`exception.type`, `exception.message`)
    /// and sets the status to error with the message.
    public func recordError<Instant: TracerInstant>(
        _ error: any Error,
        attributes: SpanAttributes,
        at instant: @autoclosure () -> Instant
    ) {
        guard tracer != nil else { return }
        let message = String(describing: error)
        var eventAttributes = attributes
        eventAttributes.set("exception.type", value: .string(String(reflecting: type(of: error))))
        eventAttributes.set("exception.message", value: .string(message))
        addEvent(SpanEvent(name: "exception", at: instant(), attributes: eventAttributes))
        setStatus(SpanStatus(code: .error, message: message))
    }

    /// Links this span to another span's context. A context without a span is dropped and counted.
    public func addLink(_ link: SpanLink) {
        guard let tracer else { return }
        let limits = tracer.configuration.limits
        guard let linked = link.context.spanContext else {
            state.withLock { if !$0.hasEnded { $0.droppedLinks += 1 } }
            return
        }
        var attributes = link.attributes
        let cut = limits.enforce(on: &attributes, maxCount: limits.maxAttributesPerEvent)
        let recordLink = SpanRecord.Link(context: linked, attributes: attributes, droppedAttributeCount: cut.dropped)
        state.withLock { state in
            guard !state.hasEnded else { return }
            state.truncatedValues += cut.truncated
            guard state.links.count < limits.maxLinks else {
                state.droppedLinks += 1
                return
            }
            state.links.append(recordLink)
        }
    }

    /// Ends the span and records it. Only the first call counts.
    public func end<Instant: TracerInstant>(at instant: @autoclosure () -> Instant) {
        guard let tracer else { return }
        let endNanoseconds = instant().nanosecondsSinceEpoch
        let record: SpanRecord? = state.withLock { state in
            guard !state.hasEnded else { return nil }
            state.hasEnded = true
            // Move, don't copy: the span is done with its state.
            let record = SpanRecord(
                context: spanContext,
                parentSpanID: parentSpanID,
                parentIsRemote: parentIsRemote,
                name: state.name,
                kind: kind,
                startNanoseconds: startNanoseconds,
                endNanoseconds: endNanoseconds,
                attributes: state.attributes,
                events: state.events,
                links: state.links,
                status: state.status,
                droppedAttributeCount: state.droppedAttributes,
                droppedEventCount: state.droppedEvents,
                droppedLinkCount: state.droppedLinks,
                truncatedValueCount: state.truncatedValues
            )
            state.attributes = [:]
            state.events = []
            state.links = []
            return record
        }
        if let record {
            tracer.record(record)
        }
    }
}

extension Span: CustomStringConvertible {
    public var description: String {
        "Span(\(operationName), trace: \(spanContext.traceID), span: \(spanContext.spanID))"
    }
}
