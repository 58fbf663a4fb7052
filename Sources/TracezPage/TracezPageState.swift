import Tracez

/// The page's counts, samples and recent spans; owned by ``TracezPage`` under its lock.
struct TracezPageState {
    let configuration: TracezPageConfiguration
    var names: [String: SpanNameRecord] = [:]
    /// Spans whose names came after `maxSpanNames` others.
    var other: SpanNameRecord?
    /// The last `recentSpans` spans read, to draw the trace around a sample: a ring.
    var recent: [SpanRecord] = []
    var nextRecent = 0
    /// Each pipeline's exported count, read about once a second, for the export rate: the last 11.
    var exportReadings: [(at: ContinuousClock.Instant, exported: [Int])] = []

    init(configuration: TracezPageConfiguration) {
        self.configuration = configuration
        recent.reserveCapacity(max(0, configuration.recentSpans))
    }

    /// Moves what `flightRecorder` holds into the counts, and notes the pipelines' exported counts.
    mutating func read(_ flightRecorder: Collector, pipelines: [ExportPipeline], now: ContinuousClock.Instant) {
        let batch = flightRecorder.drain(max: flightRecorder.capacity)
        let spans = batch.records
        batch.markExported()
        for span in spans { add(span) }
        if exportReadings.last.map({ $0.at.duration(to: now) >= .seconds(1) }) ?? true {
            exportReadings.append((now, pipelines.map { $0.collector.statistics.exported }))
            if exportReadings.count > 11 { exportReadings.removeFirst() }
        }
    }

    private mutating func add(_ span: SpanRecord) {
        let name = TraceTreeRenderer.cut(span.name, to: configuration.maxNameLength)
        if names[name] != nil || names.count < configuration.maxSpanNames {
            names[name, default: SpanNameRecord()].add(span, samplesPerBucket: configuration.samplesPerBucket, errorSamples: configuration.errorSamples)
        } else {
            other = other ?? SpanNameRecord()
            other?.add(span, samplesPerBucket: configuration.samplesPerBucket, errorSamples: configuration.errorSamples)
        }
        guard configuration.recentSpans > 0 else { return }
        if recent.count < configuration.recentSpans {
            recent.append(span)
        } else {
            recent[nextRecent] = span
        }
        nextRecent = (nextRecent + 1) % configuration.recentSpans
    }

    func summaries() -> [SpanNameSummary] {
        names.map { $0.value.summary(name: $0.key) }.sorted { $0.name < $1.name }
    }

    /// Records per second each pipeline exported between the oldest and the newest reading.
    func exportRates(now: ContinuousClock.Instant) -> [Double] {
        guard let first = exportReadings.first, let last = exportReadings.last, first.at < last.at else {
            return exportReadings.last?.exported.map { _ in 0 } ?? []
        }
        let seconds = first.at.duration(to: last.at).secondsAsDouble
        return zip(first.exported, last.exported).map { Double($1 - $0) / seconds }
    }

    func samples(named name: String, in selection: SampleSelection) -> [TraceSample] {
        guard let record = names[name] else { return [] }
        let spans: [SpanRecord]
        switch selection {
        case .latency(let bucket): spans = record.samples[bucket.rawValue]
        case .errors: spans = record.errorSamples
        }
        return spans.reversed().map { span in
            var trace = recent.filter { $0.traceID == span.traceID }
            if !trace.contains(where: { $0.spanID == span.spanID }) { trace.append(span) }
            return TraceSample(span: span, trace: trace)
        }
    }
}
