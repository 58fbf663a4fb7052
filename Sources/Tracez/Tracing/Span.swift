import Synchronization
import Tracing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A live, mutable span: one operation in a trace, from start to ``end(at:)``.
///
/// Made by ``Tracer``; prefer `tracer.withSpan(_:)`, which ends the span and
/// records a thrown error for you. A span ends exactly once: the first `end`
/// freezes it and hands a ``SpanRecord`` of it to the tracer's collectors;
/// later calls, and any change after the end, are ignored.
///
/// Thread-safety: every member may be called from any task or thread. The
/// span's mutable state sits behind one lock of its own, shared with no other span.
///
/// - Complexity: setting attributes, adding events and ending cost O(1) apart
///   from the attribute dictionary itself; nothing here formats a string,
///   encodes, or waits on I/O. A span with up to 6 attributes and one event
///   allocates twice: the span itself, and its attribute dictionary on the first write.
///   Its ``SpanRecord`` is a reference to the ended span, so ending allocates nothing.
// @unchecked Sendable: `state` and `ignoredAttributes` are read and written only between
// `lock()` and `unlock()`, except by `finished`, which reads `state` only after the end,
// when nothing writes it any more (late changes write `ignoredAttributes` alone).
//
// The stored properties are in an order that leaves few padding holes: Swift lays a class's
// properties out in the order they are declared, and every byte of a span stays in its
// collector until export (benchmark "Memory, retained per buffered span, …").
public final class Span: Tracing.Span, @unchecked Sendable {
    /// Trace id, span id, sampled flag and trace state of this span.
    public let spanContext: SpanContext
    public let kind: SpanKind
    let parentIsRemote: Bool
    /// Whether this object only carries a span context that came from elsewhere
    /// (``init(carrying:)``), rather than being a span that was started.
    let onlyCarriesContext: Bool
    /// Whether ``parentSpanID`` is set: beside `parentID` rather than a `SpanID?`, whose tag
    /// byte would cost a word of padding.
    private let hasParent: Bool
    /// Guards `state`. A lock of the span's own rather than a `Mutex<State>`, because
    /// `attributes`' `_modify` must hold it across a `yield`, which `withLock` cannot.
    /// Its atomics are visible to Thread Sanitizer as they are.
    private let locked = Atomic<Bool>(false)
    /// The parent's span id when `hasParent`.
    private let parentID: SpanID
    /// Start time, nanoseconds since the Unix epoch.
    public let startNanoseconds: UInt64
    /// The context the span was started in; ``context`` adds this span to it.
    private let parentContext: ServiceContext
    // Benchmark "Span start+end, 4 attributes + event (Tracer)": the lock already makes
    // access exclusive; the runtime's exclusivity check on top cost time on every access,
    // and its record, held across `_modify`'s yield, made each `span.attributes[key] = value`
    // allocate a coroutine frame.
    @exclusivity(unchecked) nonisolated(unsafe) private var state: State

    /// The span's mutable fields. Laid out, like the span, with few padding holes: the
    /// counters are 32 bits (saturating; no span counts 4 billion cuts) and the one-byte
    /// fields sit together at the end.
    struct State {
        var name: String
        /// Where the span records itself; `nil` for a non-recording span (nothing is kept and
        /// nothing is recorded), and from the end on: a record sitting in a collector must not
        /// keep the tracer alive (tracer → collector → record → span → tracer).
        var tracer: Tracer? = nil
        var attributes = SpanAttributes.empty
        /// What the typed setters (`set(_:_:)`) wrote: no key is in both stores.
        var compact = CompactAttributes()
        /// The tracer's ``SpanLimits/maxAttributeValueBytes``, kept at the end for exporters,
        /// which format `stringConvertible` values and cut them to it. Saturates at 4 GiB,
        /// past any value a span can hold.
        /// Set at the end (and by ``SpanRecord``'s public initializer).
        var maxAttributeValueBytes: UInt32 = 0
        var events = SpanRecord.EventList()
        var links: [SpanRecord.Link] = []
        /// ``status``'s message; its code is `statusCode`, among the one-byte fields.
        var statusMessage: String?
        var endNanoseconds: UInt64 = 0
        var droppedAttributes: UInt32 = 0
        var droppedEvents: UInt32 = 0
        var droppedLinks: UInt32 = 0
        var truncatedValues: UInt32 = 0
        var statusCode: SpanStatus.Code?
        var hasEnded = false
        /// Set by `_modify`: values not yet checked against ``SpanLimits/maxAttributeValueBytes``.
        var attributesNeedLengthCheck = false
        /// Set by `_modify` on a full span: `changeScratch` holds its attributes from before
        /// the change, so the change cannot push them out.
        var keptAttributesBeforeChange = false

        var status: SpanStatus? {
            get { statusCode.map { SpanStatus(code: $0, message: statusMessage) } }
            set {
                statusCode = newValue?.code
                statusMessage = newValue?.message
            }
        }
    }

    /// What `_modify` needs besides `state`, only while it holds the lock: on a span that does
    /// not record or has ended, what it hands out (emptied after); on a full span, its
    /// attributes from before the change (`keptAttributesBeforeChange`). Kept out of `State`
    /// on purpose: a late `span.attributes[key] = value` on an ended span writes here, so
    /// nothing in `State` changes after the end, and `finished` may read it without the lock
    /// while exporters hold the record.
    @exclusivity(unchecked) nonisolated(unsafe) private var changeScratch = SpanAttributes.empty

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
        self.hasParent = parentSpanID != nil
        self.parentID = parentSpanID ?? SpanID(0)
        self.parentIsRemote = parentIsRemote
        self.kind = kind
        self.startNanoseconds = startNanoseconds
        self.parentContext = parentContext
        self.onlyCarriesContext = false
        // Made in place, not in a local copied in: the copy of `State` showed in benchmark
        // "Span start+end, empty (Tracer)".
        self.state = State(name: name, tracer: tracer)
        // One comparison on the hot path; the cut itself only for a name over the limit.
        if let tracer, name.utf8.count > tracer.configuration.limits.maxNameBytes {
            state.name = name.truncatedToUTF8Bytes(tracer.configuration.limits.maxNameBytes)
            state.truncatedValues = 1
        }
    }

    /// The parent span's id; `nil` for a root span.
    public var parentSpanID: SpanID? { hasParent ? parentID : nil }

    /// An already ended span holding `state`: the storage of a ``SpanRecord`` made by its public initializer.
    init(
        finished state: State,
        kind: SpanKind,
        spanContext: SpanContext,
        parentSpanID: SpanID?,
        parentIsRemote: Bool,
        startNanoseconds: UInt64
    ) {
        self.spanContext = spanContext
        self.hasParent = parentSpanID != nil
        self.parentID = parentSpanID ?? SpanID(0)
        self.parentIsRemote = parentIsRemote
        self.kind = kind
        self.startNanoseconds = startNanoseconds
        self.parentContext = .topLevel
        self.onlyCarriesContext = false
        var state = state
        state.hasEnded = true
        self.state = state
    }

    /// A span that was never started and records nothing: it holds `spanContext` in a
    /// `ServiceContext` (see ``ServiceContext/spanContext``), for a parent from another process.
    init(carrying spanContext: SpanContext) {
        self.spanContext = spanContext
        self.hasParent = false
        self.parentID = SpanID(0)
        self.parentIsRemote = false
        self.kind = .internal
        self.startNanoseconds = 0
        self.parentContext = .topLevel
        self.onlyCarriesContext = true
        self.state = State(name: "", tracer: nil, hasEnded: true)
    }

    // MARK: - The span's lock

    // Benchmark "Span start+end, 4 attributes + event (Tracer)": with a `Mutex<State>`,
    // every `span.attributes[key] = value` copied the whole dictionary (get, copy, set);
    // this lock lets `_modify` change it in place. Spans are almost never contended:
    // the fast path is one compare-and-swap, and a waiter yields its core after a few spins.
    @inline(__always)
    private func lock() {
        if locked.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged { return }
        lockContended()
    }

    @inline(never)
    private func lockContended() {
        var spins = 0
        while true {
            if !locked.load(ordering: .relaxed),
                locked.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
            {
                return
            }
            spins += 1
            if spins >= 32 {
                sched_yield()  // the holder may have been preempted: let it run
            }
        }
    }

    @inline(__always)
    private func unlock() {
        locked.store(false, ordering: .releasing)
    }

    @inline(__always)
    private func withLock<Result>(_ body: (inout State) throws -> Result) rethrows -> Result {
        lock()
        defer { unlock() }
        return try body(&state)
    }

    /// The state of an ended span, read without the lock: from its end on nothing writes
    /// any field of it (every change checks `hasEnded` first; a late `_modify` writes only
    /// `ignoredAttributes`, which lives outside `State`), and a ``SpanRecord`` reaches
    /// another thread only through a collector's lock, which orders the end before the read.
    var finished: State {
        _read { yield state }
    }

    /// Calls `body` with each typed attribute of this ended span, read in place and without
    /// the lock as ``finished`` is. Benchmark "OTLP protobuf encode, 4 attributes + event": read
    /// through `finished`, the typed store was copied, entry by entry through the value
    /// witnesses of its `InlineArray`, even when empty: 60 ns a record from the standard setters.
    func forEachFinishedTypedAttribute(_ body: (String, CompactAttributes.Value) throws -> Void) rethrows {
        guard !state.compact.isEmpty else { return }
        try state.compact.forEach(body)
    }

    /// How many typed attributes this ended span holds, read as ``forEachFinishedTypedAttribute(_:)`` reads them.
    var finishedTypedAttributeCount: Int { state.compact.count }

    /// The typed attribute `key` of this ended span, read as ``forEachFinishedTypedAttribute(_:)`` reads them.
    func finishedTypedAttribute(_ key: String) -> CompactAttributes.Value? {
        state.compact.isEmpty ? nil : state.compact.value(forKey: key)
    }

    /// What the span limits cut from this ended span, read without the lock as ``finished`` is.
    ///
    /// Four loads of `state`'s fields: copying the whole state (`finished`) would retain and
    /// release its dictionary, arrays and strings, and reading each field through `finished`
    /// costs a coroutine call; both showed in benchmark "Collector record, uncontended".
    var limitCuts: SpanLimitCounts {
        SpanLimitCounts(
            droppedAttributes: Int(state.droppedAttributes),
            droppedEvents: Int(state.droppedEvents),
            droppedLinks: Int(state.droppedLinks),
            truncatedValues: Int(state.truncatedValues)
        )
    }

    // MARK: - The span

    /// The context to run this span's children in: the parent's context with this span's ``spanContext``.
    public var context: ServiceContext {
        var context = parentContext
        context.setActiveSpan(self)
        return context
    }

    /// The tracer that records this span: `nil` once it ended, or if it never recorded.
    package var recordingTracer: Tracer? {
        withLock { $0.hasEnded ? nil : $0.tracer }
    }

    /// Whether the span is still recording: sampled (or kept for errors) and not yet ended.
    public var isRecording: Bool {
        withLock { $0.tracer != nil && !$0.hasEnded }
    }

    public var operationName: String {
        get { withLock { $0.name } }
        set {
            withLock { state in
                guard let tracer = state.tracer, !state.hasEnded else { return }
                let limits = tracer.configuration.limits
                let name = limits.capped(newValue.isEmpty ? "unnamed" : newValue, to: limits.maxNameBytes)
                state.name = name.text
                if name.cut { state.truncatedValues.count(1) }
            }
        }
    }

    /// The span's attributes. Setting replaces them all, within ``SpanLimits``.
    ///
    /// `span.attributes[key] = value` changes them in place under the span's lock, as
    /// ``updateAttributes(_:)`` does; the count cap applies at once, string values over
    /// ``SpanLimits/maxAttributeValueBytes`` are cut when the span ends. After the end
    /// they read as they were recorded.
    public var attributes: SpanAttributes {
        get { withLock { $0.allAttributes } }
        // Benchmark "Span start+end, 4 attributes + event (Tracer)": in place, under the
        // span's lock, so `span.attributes[key] = value` copies nothing. The work sits in
        // the two helpers to keep the coroutine's frame small: a frame that outgrows the
        // caller's fixed buffer is allocated on every access (with the exclusivity record
        // of `state` held across the yield it did: one allocation per attribute set).
        _modify {
            let isRecording = beginAttributeChange()
            defer { endAttributeChange(isRecording) }
            if isRecording {
                yield &state.attributes
            } else {
                yield &changeScratch
            }
        }
        set {
            var newValue = newValue
            withLock { state in
                guard let tracer = state.tracer, !state.hasEnded else { return }
                let limits = tracer.configuration.limits
                let cut = limits.enforce(on: &newValue, maxCount: limits.maxAttributes, existing: state.allAttributes)
                state.attributes = newValue
                state.compact = CompactAttributes()
                state.droppedAttributes.count(cut.dropped)
                state.truncatedValues.count(cut.truncated)
            }
        }
    }

    /// Takes the lock for `_modify`; returns whether the change counts (recording, not ended).
    private func beginAttributeChange() -> Bool {
        lock()
        guard let tracer = state.tracer, !state.hasEnded else { return false }
        let limits = tracer.configuration.limits
        // A full span keeps the keys it has; only then is a copy of them worth its cost.
        // Below the cap, a change that adds several keys at once past it is cut in the
        // dictionary's order, as `updateAttributes(_:)` does.
        if state.attributes.count >= limits.maxAttributes - state.compact.count {
            changeScratch = state.attributes
            state.keptAttributesBeforeChange = true
        }
        Self.reserveRoom(in: &state.attributes)
        return true
    }

    /// Applies the count cap now and leaves the length cap to ``end(at:)``, then lets go of the lock.
    private func endAttributeChange(_ isRecording: Bool) {
        defer { unlock() }
        guard isRecording, let tracer = state.tracer else {
            changeScratch = .empty
            return
        }
        let limits = tracer.configuration.limits
        var existing: SpanAttributes? = nil
        if state.keptAttributesBeforeChange {
            existing = changeScratch
            changeScratch = .empty
            state.keptAttributesBeforeChange = false
        }
        Self.dropShadowedTypedAttributes(&state)
        let room = limits.maxAttributes - state.compact.count
        if state.attributes.count > room {
            let cut = limits.enforce(on: &state.attributes, maxCount: room, existing: existing)
            state.droppedAttributes.count(cut.dropped)
            state.truncatedValues.count(cut.truncated)
        } else {
            // Benchmark "Span start+end, 4 attributes + event (Tracer)": scanning every value
            // on every set made n sets cost O(n^2); the length cap is applied once, at the end.
            state.attributesNeedLengthCheck = true
        }
    }

    /// Changes the attributes in place under the span's lock, then applies ``SpanLimits``.
    ///
    /// The fast way to set several attributes: one lock, no copy of the dictionary.
    public func updateAttributes(_ update: (inout SpanAttributes) -> Void) {
        withLock { state in
            guard let tracer = state.tracer, !state.hasEnded else { return }
            Self.reserveRoom(in: &state.attributes)
            update(&state.attributes)
            Self.dropShadowedTypedAttributes(&state)
            let limits = tracer.configuration.limits
            // In place there is no copy of the old keys to prefer, so past the cap
            // the dictionary's own order decides which attributes are dropped.
            let cut = limits.enforce(on: &state.attributes, maxCount: limits.maxAttributes - state.compact.count)
            state.droppedAttributes.count(cut.dropped)
            state.truncatedValues.count(cut.truncated)
        }
    }

    // MARK: - Typed attributes (TZ-0001)

    /// Sets the attribute `key` to a string, without swift-distributed-tracing's dictionary:
    /// the fast way on a hot path (no key hashing, no allocation for a span's first 4 typed
    /// attributes; figures in `Docs/Performance.md`).
    ///
    /// It reads back through ``attributes`` like any other attribute, and ``SpanLimits`` apply
    /// to both ways together: the count cap at once, the length cap when the span ends. A
    /// later `span.attributes[key] = …` replaces it, as it replaces the other way round.
    public func set(_ key: String, _ value: String) { setTyped(key, .string(value)) }
    /// Sets the attribute `key` to an integer (OpenTelemetry's `int`, 64 bits).
    public func set(_ key: String, _ value: Int) { setTyped(key, .int(Int64(value))) }
    /// Sets the attribute `key` to a 64-bit integer.
    public func set(_ key: String, _ value: Int64) { setTyped(key, .int(value)) }
    /// Sets the attribute `key` to a double.
    public func set(_ key: String, _ value: Double) { setTyped(key, .double(value)) }
    /// Sets the attribute `key` to a boolean.
    public func set(_ key: String, _ value: Bool) { setTyped(key, .bool(value)) }

    /// How many attributes the span holds that a typed setter wrote (the rest are in the dictionary).
    package var typedAttributeCount: Int {
        withLock { $0.compact.count }
    }

    private func setTyped(_ key: String, _ value: CompactAttributes.Value) {
        lock()
        defer { unlock() }
        guard let tracer = state.tracer, !state.hasEnded else { return }
        if state.compact.replace(key, with: value) { return }
        let limits = tracer.configuration.limits
        // A key the dictionary holds, or one the key rules would change: the dictionary's way,
        // so that one key never sits in both stores and the rules stay in one place.
        if (!state.attributes.isEmpty && state.attributes.get(key) != nil) || key.utf8.count > limits.maxAttributeKeyBytes
            || SpanLimits.isBlank(key)
        {
            Self.reserveRoom(in: &state.attributes)
            state.attributes[key] = value.spanAttribute
            let cut = limits.enforce(on: &state.attributes, maxCount: limits.maxAttributes - state.compact.count)
            state.droppedAttributes.count(cut.dropped)
            state.truncatedValues.count(cut.truncated)
            return
        }
        guard state.compact.count + state.attributes.count < limits.maxAttributes else {
            state.droppedAttributes.count(1)
            return
        }
        state.compact.append(key, value)
    }

    /// A key written through the dictionary after a typed setter wrote it: the dictionary's is newer.
    private static func dropShadowedTypedAttributes(_ state: inout State) {
        guard !state.compact.isEmpty, !state.attributes.isEmpty else { return }
        var shadowed: [String] = []
        state.compact.forEach { key, _ in
            if state.attributes.get(key) != nil { shadowed.append(key) }
        }
        for key in shadowed { state.compact.remove(key) }
    }

    /// Attribute dictionaries start with room for this many (6 before they grow): one
    /// allocation for a typical span instead of one per doubling (measured in
    /// `Docs/Performance.md`).
    static let initialAttributeCapacity = 4

    @inline(__always)
    private static func reserveRoom(in attributes: inout SpanAttributes) {
        if attributes.isEmpty {
            attributes = SpanAttributes(Dictionary(minimumCapacity: initialAttributeCapacity))
        }
    }

    /// Sets the status. `ok` is final: once set, later changes are ignored.
    /// An `error` without a message keeps an earlier error's message. A message longer than
    /// ``SpanLimits/maxAttributeValueBytes`` is cut and counted.
    public func setStatus(_ status: SpanStatus) {
        withLock { state in
            guard let tracer = state.tracer, !state.hasEnded, state.status?.code != .ok else { return }
            if status.code == .error, status.message == nil, let message = state.status?.message {
                state.status = SpanStatus(code: .error, message: message)
            } else if let message = status.message {
                let limits = tracer.configuration.limits
                let capped = limits.capped(message, to: limits.maxAttributeValueBytes)
                state.status = capped.cut ? SpanStatus(code: status.code, message: capped.text) : status
                if capped.cut { state.truncatedValues.count(1) }
            } else {
                state.status = status
            }
        }
    }

    public func addEvent(_ event: SpanEvent) {
        withLock { state in
            guard let tracer = state.tracer, !state.hasEnded else { return }
            let limits = tracer.configuration.limits
            guard state.events.count < limits.maxEvents else {
                state.droppedEvents.count(1)
                return
            }
            var attributes = event.attributes
            let cut = limits.enforce(on: &attributes, maxCount: limits.maxAttributesPerEvent)
            let name = limits.capped(event.name, to: limits.maxNameBytes)
            state.truncatedValues.count(cut.truncated + (name.cut ? 1 : 0))
            state.events.append(  // the first one inline: no allocation
                SpanRecord.Event(
                    name: name.text,
                    nanoseconds: event.nanosecondsSinceEpoch,
                    attributes: attributes,
                    droppedAttributeCount: cut.dropped
                )
            )
        }
    }

    /// Records `error` as an `exception` event (`exception.type`, `exception.message`)
    /// and sets the status to error with the message.
    public func recordError<Instant: TracerInstant>(
        _ error: any Error,
        attributes: SpanAttributes,
        at instant: @autoclosure () -> Instant
    ) {
        guard isRecording else { return }
        let message = String(describing: error)
        var eventAttributes = attributes
        eventAttributes.set("exception.type", value: .string(String(reflecting: type(of: error))))
        eventAttributes.set("exception.message", value: .string(message))
        addEvent(SpanEvent(name: "exception", at: instant(), attributes: eventAttributes))
        setStatus(SpanStatus(code: .error, message: message))
    }

    /// Links this span to another span's context. A context without a span is dropped and counted.
    public func addLink(_ link: SpanLink) {
        let linked = link.context.spanContext
        withLock { state in
            guard let tracer = state.tracer, !state.hasEnded else { return }
            let limits = tracer.configuration.limits
            guard let linked, state.links.count < limits.maxLinks else {
                state.droppedLinks.count(1)
                return
            }
            var attributes = link.attributes
            let cut = limits.enforce(on: &attributes, maxCount: limits.maxAttributesPerEvent)
            state.truncatedValues.count(cut.truncated)
            state.links.append(SpanRecord.Link(context: linked, attributes: attributes, droppedAttributeCount: cut.dropped))
        }
    }

    /// Ends the span and records it. Only the first call counts.
    public func end<Instant: TracerInstant>(at instant: @autoclosure () -> Instant) {
        let endNanoseconds = instant().nanosecondsSinceEpoch
        let tracer: Tracer? = withLock { state in
            guard let tracer = state.tracer, !state.hasEnded else { return nil }
            if state.attributesNeedLengthCheck {
                state.attributesNeedLengthCheck = false
                let limits = tracer.configuration.limits
                let cut = limits.enforce(on: &state.attributes, maxCount: limits.maxAttributes - state.compact.count)
                state.droppedAttributes.count(cut.dropped)
                state.truncatedValues.count(cut.truncated)
            }
            if !state.compact.isEmpty {
                state.truncatedValues.count(state.compact.truncateStrings(to: tracer.configuration.limits.maxAttributeValueBytes))
            }
            state.hasEnded = true
            state.endNanoseconds = max(startNanoseconds, endNanoseconds)
            state.maxAttributeValueBytes = UInt32(clamping: tracer.configuration.limits.maxAttributeValueBytes)
            state.tracer = nil  // see `State.tracer`
            return tracer
        }
        // Benchmark "Collector record, uncontended": the record is this span, frozen, so
        // handing it to a collector copies one reference instead of a 200-byte value.
        if let tracer {
            tracer.record(SpanRecord(ended: self))
        }
    }
}

extension Span: CustomStringConvertible {
    public var description: String {
        "Span(\(operationName), trace: \(spanContext.traceID), span: \(spanContext.spanID))"
    }
}

extension Span.State {
    /// Both stores as one `SpanAttributes`; built only when read, never on the hot path.
    var allAttributes: SpanAttributes {
        guard !compact.isEmpty else { return attributes }
        var merged = attributes
        compact.forEach { key, value in merged[key] = value.spanAttribute }
        return merged
    }
}

extension UInt32 {
    /// Adds `count` to a span's limit counter, saturating rather than trapping.
    fileprivate mutating func count(_ count: Int) {
        self = UInt32(clamping: Int(self) + count)
    }
}

extension SpanAttributes {
    /// No attributes, made without work. Benchmark "Span start+end, empty (Tracer)": `[:]` and
    /// `SpanAttributes()` go through swift-distributed-tracing's `init(dictionaryLiteral:)`,
    /// which merges its (no) elements into a new dictionary, on every span start.
    static var empty: SpanAttributes { SpanAttributes([String: SpanAttribute]()) }
}
