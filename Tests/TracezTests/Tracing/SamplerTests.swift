import Testing

@testable import Tracez

@Suite(.timeLimit(.minutes(3))) struct SamplerTests {
    static let sampledParent = SpanContext(traceID: TraceID(high: 1, low: 1), spanID: SpanID(1), traceFlags: .sampled)
    static let unsampledParent = SpanContext(traceID: TraceID(high: 1, low: 1), spanID: SpanID(1), traceFlags: [])

    private static func randomIDs(_ count: Int) -> [TraceID] {
        (0..<count).map { _ in TraceID.random() }
    }

    /// The ids among `ids` that `sampler` accepts for a root span.
    private static func accepted(by sampler: Sampler, _ ids: [TraceID]) -> Set<TraceID> {
        Set(ids.filter { sampler.shouldSample(traceID: $0, parent: nil) })
    }

    /// A trace id whose 56 bits of sampling randomness are `randomness`; the other bits are set.
    private static func id(randomness: UInt64) -> TraceID {
        TraceID(high: .max, low: 0xFF00_0000_0000_0000 | randomness)
    }

    @Test func alwaysOnSamplesEveryTraceWhateverTheParent() {
        let id = TraceID.random()
        #expect(Sampler.alwaysOn.shouldSample(traceID: id, parent: nil))
        #expect(Sampler.alwaysOn.shouldSample(traceID: id, parent: Self.unsampledParent))
    }

    @Test func alwaysOffSamplesNoTraceWhateverTheParent() {
        let id = TraceID.random()
        #expect(!Sampler.alwaysOff.shouldSample(traceID: id, parent: nil))
        #expect(!Sampler.alwaysOff.shouldSample(traceID: id, parent: Self.sampledParent))
    }

    @Test(arguments: [0, -0.5, -.infinity, .nan])
    func ratioAtOrBelowZeroOrNaNSamplesNothing(_ ratio: Double) {
        let ids = Self.randomIDs(1000) + [Self.id(randomness: 0x00FF_FFFF_FFFF_FFFF)]
        #expect(Self.accepted(by: .traceIDRatio(ratio), ids).isEmpty)
    }

    @Test(arguments: [1, 1.5, .infinity])
    func ratioAtOrAboveOneSamplesEverything(_ ratio: Double) {
        let ids = Self.randomIDs(1000) + [Self.id(randomness: 0)]
        #expect(Self.accepted(by: .traceIDRatio(ratio), ids).count == ids.count)
    }

    @Test func ratioDecisionIsDeterministicPerTraceID() {
        let sampler = Sampler.traceIDRatio(0.5)
        let ids = Self.randomIDs(1000)
        let first = ids.map { sampler.shouldSample(traceID: $0, parent: nil) }
        let second = ids.map { sampler.shouldSample(traceID: $0, parent: nil) }
        #expect(first == second)
        #expect(first.contains(true) && first.contains(false))
    }

    @Test func ratioReadsOnlyTheLowFiftySixBits() {
        let half = Sampler.traceIDRatio(0.5)
        // Threshold for 0.5 is exactly 2^55.
        #expect(half.shouldSample(traceID: Self.id(randomness: 0x0080_0000_0000_0000), parent: nil))
        #expect(!half.shouldSample(traceID: Self.id(randomness: 0x007F_FFFF_FFFF_FFFF), parent: nil))
        #expect(!half.shouldSample(traceID: TraceID(high: .max, low: 0xFF7F_FFFF_FFFF_FFFF), parent: nil))
        #expect(half.shouldSample(traceID: TraceID(high: 0, low: 0x0080_0000_0000_0000), parent: nil))
    }

    @Test func ratioQuarterSamplesAboutAQuarter() {
        let ids = Self.randomIDs(100_000)
        let fraction = Double(Self.accepted(by: .traceIDRatio(0.25), ids).count) / Double(ids.count)
        #expect((0.23...0.27).contains(fraction))
    }

    @Test func higherRatioAcceptsASupersetOfLowerRatio() {
        let ids = Self.randomIDs(10_000)
        let ratios = [0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99]
        let accepted = ratios.map { Self.accepted(by: .traceIDRatio($0), ids) }
        for (lower, higher) in zip(accepted, accepted.dropFirst()) {
            #expect(lower.isSubset(of: higher))
            #expect(lower.count <= higher.count)
        }
    }

    @Test func parentBasedFollowsSampledParentOverRoot() {
        let sampler = Sampler.parentBased(root: .alwaysOff)
        #expect(sampler.shouldSample(traceID: TraceID.random(), parent: Self.sampledParent))
        var remote = Self.sampledParent
        remote.isRemote = true
        #expect(sampler.shouldSample(traceID: TraceID.random(), parent: remote))
    }

    @Test func parentBasedFollowsUnsampledParentOverRoot() {
        let sampler = Sampler.parentBased(root: .alwaysOn)
        #expect(!sampler.shouldSample(traceID: TraceID.random(), parent: Self.unsampledParent))
    }

    @Test func parentBasedAsksRootWithoutParent() {
        let id = TraceID.random()
        #expect(Sampler.parentBased(root: .alwaysOn).shouldSample(traceID: id, parent: nil))
        #expect(!Sampler.parentBased(root: .alwaysOff).shouldSample(traceID: id, parent: nil))
        let ids = Self.randomIDs(1000)
        #expect(Self.accepted(by: .parentBased(root: .traceIDRatio(0.3)), ids) == Self.accepted(by: .traceIDRatio(0.3), ids))
    }

    // MARK: - The tracer applies its configured sampler

    @Test func defaultConfigurationIsParentBasedAlwaysOn() {
        #expect(TracerConfiguration().sampler == .parentBased(root: .alwaysOn))
        #expect(Tracez.Tracer().startSpan("root", context: .topLevel).isRecording)
    }

    @Test func tracerWithAlwaysOffStartsNonRecordingUnsampledSpans() {
        let tracer = Tracez.Tracer(configuration: TracerConfiguration(sampler: .alwaysOff))
        let span = tracer.startSpan("root", context: .topLevel)
        #expect(!span.isRecording)
        #expect(!span.spanContext.isSampled)
        #expect(span.spanContext.traceID.isValid)
    }

    @Test func disabledTracerNeverRecordsEvenWithAlwaysOn() {
        let tracer = Tracez.Tracer(configuration: TracerConfiguration(sampler: .alwaysOn, isEnabled: false))
        let span = tracer.startSpan("root", context: .topLevel)
        #expect(!span.isRecording)
        #expect(!span.spanContext.isSampled)
    }

    @Test func keepingErroredSpansRecordsUnsampledSpansWithoutMarkingThemSampled() {
        let configuration = TracerConfiguration(sampler: .alwaysOff, keepsErroredSpansOfUnsampledTraces: true)
        let span = Tracez.Tracer(configuration: configuration).startSpan("root", context: .topLevel)
        #expect(span.isRecording)
        #expect(!span.spanContext.isSampled)
    }

    @Test func childOfLocalSpanInheritsItsSamplingDecision() {
        let tracer = Tracez.Tracer(configuration: TracerConfiguration(sampler: .parentBased(root: .alwaysOff)))
        let root = tracer.startSpan("root", context: .topLevel)
        let child = tracer.startSpan("child", context: root.context)
        #expect(!child.isRecording)
        #expect(child.parentSpanID == root.spanContext.spanID)
        #expect(child.spanContext.traceID == root.spanContext.traceID)
    }
}
