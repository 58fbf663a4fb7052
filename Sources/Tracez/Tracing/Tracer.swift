import Metrics
import ServiceLifecycle
import Tracing

/// Starts spans and routes the finished ones to its collectors, whose pipelines export them.
///
/// `Tracer` conforms to swift-distributed-tracing's `Tracer`. Call it directly
/// for the fast path (generic dispatch, no existential):
///
/// ```swift
/// let collector = try Collector(configuration: .init(name: "stdout", capacity: 4096))
/// let tracer = Tracer(
///     configuration: .init(serviceName: "checkout"),
///     pipelines: [try ExportPipeline(collector: collector, exporter: StdoutExporter())]
/// )
/// try await tracer.withSpan("charge card", ofKind: .client) { span in
///     span.attributes["payment.amount"] = 42
/// }
/// ```
///
/// or bootstrap it, so that every library instrumented with that API records into it:
/// `InstrumentationSystem.bootstrap(tracer)`.
///
/// The tracer is a swift-service-lifecycle `Service`: ``run()`` runs its
/// pipelines, and graceful shutdown of its `ServiceGroup` flushes them.
///
/// Thread-safety: every method may be called from any task or thread. The set of
/// collectors is fixed at creation, so ending a span reads it without a lock.
public final class Tracer: Tracing.Tracer, Service, Sendable {
    public let configuration: TracerConfiguration
    /// Every collector that finished spans are offered to, each through its own filter.
    public let collectors: [Collector]
    public let pipelines: [ExportPipeline]
    /// Baggage entries that `extract` left out (malformed, or past the W3C limits):
    /// `tracez_baggage_entries_dropped_total{service}`. Bound at creation, as the pipelines' metrics are.
    private let droppedBaggageEntries: Counter

    /// Creates a tracer.
    ///
    /// - Parameters:
    ///   - configuration: The service name, sampler and span limits.
    ///   - pipelines: Each pipeline's collector receives finished spans, and the pipeline exports them.
    ///   - collectors: More collectors that receive spans but have no pipeline, such as a
    ///     flight recorder with ``OverflowPolicy/overwriteOldest`` read with ``Collector/drain(max:)``
    ///     (whose ``DrainedBatch`` the reader settles, typically with ``DrainedBatch/markExported()``).
    public init(
        configuration: TracerConfiguration = TracerConfiguration(),
        pipelines: [ExportPipeline] = [],
        collectors: [Collector] = []
    ) {
        self.configuration = configuration
        self.pipelines = pipelines
        var all = pipelines.map(\.collector)
        for collector in collectors where !all.contains(where: { $0 === collector }) {
            all.append(collector)
        }
        self.collectors = all
        droppedBaggageEntries = Counter(label: "tracez_baggage_entries_dropped_total", dimensions: [("service", configuration.serviceName)])
    }

    // MARK: - Starting spans

    /// Starts a span; prefer `withSpan`, which ends it for you.
    ///
    /// The parent is the span context in `context` (by default the task-local
    /// `ServiceContext.current`): same trace, new span id, parent's sampled flag
    /// and trace state. Without one, the span starts a new trace.
    /// An empty name becomes `"unnamed"`.
    public func startSpan<Instant: TracerInstant>(
        _ operationName: String,
        context: @autoclosure () -> ServiceContext,
        ofKind kind: SpanKind,
        at instant: @autoclosure () -> Instant,
        function: String,
        file fileID: String,
        line: UInt
    ) -> Tracez.Span {
        let parentContext = context()
        let parent = parentContext.spanContext
        let traceID = parent?.traceID ?? TraceID.random()
        let isSampled =
            configuration.isEnabled && configuration.sampler.shouldSample(traceID: traceID, parent: parent)
        let isRecording = isSampled || (configuration.isEnabled && configuration.keepsErroredSpansOfUnsampledTraces)
        let span = makeSpan(
            operationName,
            kind: kind,
            traceID: traceID,
            parent: parent,
            parentContext: parentContext,
            isSampled: isSampled,
            isRecording: isRecording,
            startNanoseconds: instant().nanosecondsSinceEpoch
        )
        if isRecording, !configuration.startHooks.isEmpty {
            for hook in configuration.startHooks { hook.spanDidStart(span, in: parentContext) }
        }
        return span
    }

    /// A root span of a new trace whose sampling decision the caller has made (`isSampled`),
    /// not the tracer's sampler: for a record that follows the decision of another trace, or
    /// that must never be sampled out. A disabled tracer still records nothing.
    package func startSpan(_ operationName: String, ofKind kind: SpanKind, isSampled: Bool) -> Tracez.Span {
        let isRecording = configuration.isEnabled && isSampled
        return makeSpan(
            operationName,
            kind: kind,
            traceID: TraceID.random(),
            parent: nil,
            parentContext: .topLevel,
            isSampled: isRecording,
            isRecording: isRecording,
            startNanoseconds: DefaultTracerClock.now.nanosecondsSinceEpoch
        )
    }

    /// The one place a span is made: a new span id under `parent` (or a root of `traceID`),
    /// recorded by this tracer if `isRecording`.
    @inline(__always)
    private func makeSpan(
        _ operationName: String,
        kind: SpanKind,
        traceID: TraceID,
        parent: SpanContext?,
        parentContext: ServiceContext,
        isSampled: Bool,
        isRecording: Bool,
        startNanoseconds: UInt64
    ) -> Tracez.Span {
        Tracez.Span(
            name: operationName.isEmpty ? "unnamed" : operationName,
            kind: kind,
            spanContext: SpanContext(
                traceID: traceID,
                spanID: SpanID.random(),
                traceFlags: isSampled ? .sampled : [],
                traceState: parent?.traceState ?? TraceState(),
                isRemote: false
            ),
            parentSpanID: parent?.spanID,
            parentIsRemote: parent?.isRemote ?? false,
            parentContext: parentContext,
            startNanoseconds: startNanoseconds,
            tracer: isRecording ? self : nil
        )
    }

    /// Offers a finished span to every collector whose filter accepts it. Called by ``Span/end(at:)``.
    func record(_ record: SpanRecord) {
        // A span of an unsampled trace records only to be kept if it failed.
        guard record.context.isSampled || record.isError else { return }
        for collector in collectors {
            if let filter = collector.filter, !filter(record) { continue }
            collector.record(record)
        }
    }

    // MARK: - Propagation (W3C Trace Context, W3C Baggage)

    /// Reads `traceparent` and `tracestate` from `carrier` into `context.spanContext`, and
    /// `baggage` into `context.baggage`.
    ///
    /// A missing or malformed `traceparent` leaves the span context unchanged, so the next span
    /// starts a new trace. `baggage` is read either way (baggage without a trace is legal) and
    /// replaces the context's baggage; malformed or excess entries are skipped and counted in
    /// the extracted value's ``Baggage/droppedEntryCount`` and in the metric
    /// `tracez_baggage_entries_dropped_total`. A missing or blank `baggage` header
    /// leaves the baggage unchanged. Several `baggage` headers may be joined with `,` by the extractor.
    public func extract<Carrier, Extract: Extractor>(
        _ carrier: Carrier,
        into context: inout ServiceContext,
        using extractor: Extract
    ) where Extract.Carrier == Carrier {
        if let header = extractor.extract(key: "baggage", from: carrier) {
            let baggage = Baggage(header: header)
            let dropped = baggage.droppedWhileParsing
            if dropped > 0 { droppedBaggageEntries.increment(by: dropped) }
            if !baggage.isEmpty || dropped > 0 { context.baggage = baggage }
        }
        guard let header = extractor.extract(key: "traceparent", from: carrier),
            let parent = TraceParent(header: header)
        else { return }
        let traceState = extractor.extract(key: "tracestate", from: carrier).map(TraceState.init(header:)) ?? TraceState()
        context.spanContext = SpanContext(
            traceID: parent.traceID,
            spanID: parent.parentID,
            traceFlags: parent.traceFlags,
            traceState: traceState,
            isRemote: true
        )
    }

    /// Writes the span context in `context`, if any, as `traceparent` (and `tracestate` when not empty),
    /// and the baggage in `context`, if not empty, as `baggage`, with or without a span context.
    ///
    /// Baggage entries that cannot be written (a key that is not a token, past 180 entries or
    /// 8192 bytes) are left out, as ``Baggage/headerValue`` does; no `baggage` is written if none is left.
    public func inject<Carrier, Inject: Injector>(
        _ context: ServiceContext,
        into carrier: inout Carrier,
        using injector: Inject
    ) where Inject.Carrier == Carrier {
        if let spanContext = context.spanContext {
            let parent = TraceParent(traceID: spanContext.traceID, parentID: spanContext.spanID, traceFlags: spanContext.traceFlags)
            injector.inject(parent.headerValue, forKey: "traceparent", into: &carrier)
            if !spanContext.traceState.isEmpty {
                injector.inject(spanContext.traceState.headerValue, forKey: "tracestate", into: &carrier)
            }
        }
        if let baggage = context.baggage, !baggage.isEmpty {
            let header = baggage.headerValue
            if !header.isEmpty { injector.inject(header, forKey: "baggage", into: &carrier) }
        }
    }

    // MARK: - Lifecycle

    /// Runs every pipeline until graceful shutdown or cancellation.
    /// A tracer without pipelines waits for graceful shutdown, as a service should.
    public func run() async throws {
        guard !pipelines.isEmpty else {
            try await gracefulShutdown()
            return
        }
        try await withThrowingDiscardingTaskGroup { group in
            for pipeline in pipelines {
                group.addTask { try await pipeline.run() }
            }
        }
    }

    /// Asks every pipeline to export what is pending, without waiting (the `Tracing.Tracer` requirement).
    /// In async code the compiler picks the waiting `await tracer.forceFlush()`; call
    /// ``requestFlush()`` there to start a flush without waiting.
    public func forceFlush() {
        requestFlush()
    }

    /// Starts exporting what is pending in every pipeline, without waiting for it.
    public func requestFlush() {
        for pipeline in pipelines { pipeline.requestFlush() }
    }

    /// Exports everything recorded before the call, and returns when that is done.
    public func forceFlush() async {
        await withDiscardingTaskGroup { group in
            for pipeline in pipelines {
                group.addTask { await pipeline.forceFlush() }
            }
        }
    }

    /// Shuts every pipeline down: sends what is pending until `deadline`, counts the
    /// rest as ``DropReason/shutdownDeadline``. Returns the final counters of all collectors.
    @discardableResult
    public func shutdown(deadline: ContinuousClock.Instant) async -> CollectorStatistics {
        await withDiscardingTaskGroup { group in
            for pipeline in pipelines {
                group.addTask { await pipeline.shutdown(deadline: deadline) }
            }
        }
        return statistics
    }

    /// The counters of all collectors, summed (see ``CollectorStatistics``).
    public var statistics: CollectorStatistics {
        CollectorStatistics(combining: collectors.map(\.statistics))
    }
}
