import ArgumentParser
import Tracez

/// `tracez size`: how big to make a collector, and what it will cost in memory.
///
/// capacity = spans per second x export interval x safety factor, rounded up;
/// memory = capacity x bytes per buffered span. The bytes per span come from a
/// benchmark, not from arithmetic on type sizes (see ``BufferedSpanCost``).
struct SizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "size",
        abstract: "Size a collector: its capacity and the memory it takes when full.",
        discussion: """
            capacity = R x S x F, rounded up, where R is --spans-per-second (the peak rate the \
            collector receives), S is --interval (seconds between exports) and F is --safety \
            (default 2: room for an export that takes as long as an interval, or a burst twice the rate).

            memory = capacity x bytes per buffered span. The bytes per span were measured by \
            filling a collector with spans and reading what the allocator held \
            (`swift package --disable-sandbox benchmark --filter ".*retained.*"` in Benchmarks/): \
            \(BufferedSpanCost.standard.bytesWithFourAttributes) bytes for a span with 4 short attributes and an event \
            set through `span.attributes[…]` (--setters standard, the default: what instrumented libraries use), \
            \(BufferedSpanCost.typed.bytesWithFourAttributes) bytes through Tracez's `span.set(…)` (--setters typed). \
            Other shapes are estimated from those figures and the 16-attribute ones, plus each string \
            value longer than 15 UTF-8 bytes (--attribute-bytes) stored on the heap.

            Memory is reached only when the collector is full; an idle collector holds nothing \
            but its slots (\(BufferedSpanCost.bytesPerEmptySlot) bytes each).

            throughput = C x B / T, where C is --concurrent-exports (ExportConfiguration.maxConcurrentExports, \
            default 4), B is --batch-size (maxBatchSize, default 512) and T is --round-trip (seconds one export \
            takes, to the backend and back). Given --round-trip, the report says whether the pipeline keeps up \
            with R: if R is above that ceiling the collector fills at R minus the ceiling whatever its capacity, \
            and the report says how many concurrent exports would keep up.
            """
    )

    @Option(help: "Peak spans per second the collector receives (R).")
    var spansPerSecond: Double

    @Option(help: "Seconds between exports (S), as in ExportConfiguration.interval.")
    var interval: Double

    @Option(help: "Safety factor (F), at least 1.")
    var safety: Double = 2

    @Option(help: "Attributes per span.")
    var attributes: Int = 4

    @Option(help: "UTF-8 bytes of each attribute's string value.")
    var attributeBytes: Int = 8

    @Option(help: "How the attributes are set: standard (span.attributes[…]) or typed (Tracez's span.set).")
    var setters: BufferedSpanCost.Setters = .standard

    @Option(help: "Seconds one export takes, to the backend and back (T): checks that the pipeline keeps up.")
    var roundTrip: Double?

    @Option(help: "Spans per export (B), as in ExportConfiguration.maxBatchSize.")
    var batchSize: Int = ExportConfiguration().maxBatchSize

    @Option(help: "Batches sent at once (C), as in ExportConfiguration.maxConcurrentExports.")
    var concurrentExports: Int = ExportConfiguration().maxConcurrentExports

    /// Past these the answer is not a collector size but a typo.
    static let maximumSpansPerSecond: Double = 100_000_000
    static let maximumInterval: Double = 86_400
    static let maximumSafety: Double = 100
    static let maximumCapacity = 1_000_000_000
    static let maximumAttributes = 128  // SpanLimits.maxAttributes, the default cap
    static let maximumAttributeBytes = 128 * 1024  // SpanLimits.maxAttributeValueBytes
    static let maximumRoundTrip: Double = 3_600
    static let maximumBatchSize = 1_000_000

    func validate() throws {
        try Self.check(spansPerSecond, "--spans-per-second", above: 0, atMost: Self.maximumSpansPerSecond)
        try Self.check(interval, "--interval", above: 0, atMost: Self.maximumInterval)
        guard safety.isFinite, safety >= 1, safety <= Self.maximumSafety else {
            throw ValidationError("--safety must be a number from 1 to \(Int(Self.maximumSafety)), got \(safety)")
        }
        guard (0...Self.maximumAttributes).contains(attributes) else {
            throw ValidationError("--attributes must be from 0 to \(Self.maximumAttributes), got \(attributes)")
        }
        guard (0...Self.maximumAttributeBytes).contains(attributeBytes) else {
            throw ValidationError("--attribute-bytes must be from 0 to \(Self.maximumAttributeBytes), got \(attributeBytes)")
        }
        if let roundTrip { try Self.check(roundTrip, "--round-trip", above: 0, atMost: Self.maximumRoundTrip) }
        guard (1...Self.maximumBatchSize).contains(batchSize) else {
            throw ValidationError("--batch-size must be from 1 to \(Self.maximumBatchSize), got \(batchSize)")
        }
        guard (1...ExportConfiguration.maxConcurrentExportsLimit).contains(concurrentExports) else {
            throw ValidationError(
                "--concurrent-exports must be from 1 to \(ExportConfiguration.maxConcurrentExportsLimit), got \(concurrentExports)")
        }
        guard estimate.capacity <= Self.maximumCapacity else {
            throw ValidationError(
                "capacity \(Self.format(spansPerSecond)) x \(Self.format(interval)) x \(Self.format(safety)) is over \(Self.maximumCapacity) spans: use a shorter --interval or several collectors"
            )
        }
    }

    private static func check(_ value: Double, _ name: String, above lower: Double, atMost upper: Double) throws {
        guard value.isFinite else { throw ValidationError("\(name) must be a finite number, got \(value)") }
        guard value > lower else { throw ValidationError("\(name) must be greater than 0, got \(format(value))") }
        guard value <= upper else { throw ValidationError("\(name) must be at most \(format(upper)), got \(format(value))") }
    }

    /// What the command prints, computed.
    struct Estimate: Equatable {
        /// Spans the collector holds.
        let capacity: Int
        /// Bytes per buffered span for the requested shape.
        let bytesPerSpan: Int
        /// Bytes when full: capacity x bytes per span.
        var bytes: Int { capacity * bytesPerSpan }
    }

    var estimate: Estimate {
        let exact = spansPerSecond * interval * safety
        // Ceiling, but a product like 1000 x 0.3 x 2 = 600.0000000000001 must stay 600.
        let capacity = exact > Double(Self.maximumCapacity) ? Self.maximumCapacity + 1 : Int((exact - 1e-6).rounded(.up))
        return Estimate(
            capacity: max(1, capacity),
            bytesPerSpan: BufferedSpanCost.of(setters).bytesPerSpan(attributes: attributes, attributeBytes: attributeBytes)
        )
    }

    /// The most spans a second the pipeline can send, given --round-trip: C x B / T.
    var throughputCeiling: Double? {
        roundTrip.map { Double(concurrentExports) * Double(batchSize) / $0 }
    }

    /// The fewest concurrent exports that keep up with the rate at this batch size and round
    /// trip, or nil if even the most allowed do not.
    var concurrentExportsNeeded: Int? {
        guard let roundTrip else { return nil }
        let needed = (spansPerSecond * roundTrip / Double(batchSize) - 1e-9).rounded(.up)
        return needed <= Double(ExportConfiguration.maxConcurrentExportsLimit) ? max(1, Int(needed)) : nil
    }

    var report: String {
        let estimate = estimate
        var lines = [
            "capacity: \(estimate.capacity) spans  (\(Self.format(spansPerSecond)) spans/s x \(Self.format(interval)) s x safety \(Self.format(safety)))",
            "memory:   \(Self.formatBytes(estimate.bytes)) when full  (\(estimate.bytesPerSpan) bytes per span with \(attributes) attributes of \(attributeBytes) bytes, \(setters.rawValue) setters)",
        ]
        if let ceiling = throughputCeiling, let roundTrip {
            let formula = "\(concurrentExports) exports x \(batchSize) spans / \(Self.format(roundTrip)) s"
            if spansPerSecond <= ceiling {
                lines.append("export:   keeps up: at most \(Self.formatRate(ceiling)) spans/s  (\(formula))")
            } else {
                let advice =
                    concurrentExportsNeeded.map { "raise --concurrent-exports to \($0), or --batch-size" }
                    ?? "use larger batches, or several pipelines"
                lines.append(
                    "export:   CANNOT KEEP UP: at most \(Self.formatRate(ceiling)) spans/s  (\(formula)); the collector fills at \(Self.formatRate(spansPerSecond - ceiling)) spans/s whatever its capacity: \(advice)"
                )
            }
        }
        var configuration = "CollectorConfiguration(capacity: \(estimate.capacity))"
        if let ceiling = throughputCeiling {
            let exports = spansPerSecond <= ceiling ? concurrentExports : concurrentExportsNeeded ?? concurrentExports
            configuration += "\nExportConfiguration(maxBatchSize: \(batchSize), maxConcurrentExports: \(exports))"
        }
        return lines.joined(separator: "\n") + "\n\n" + configuration
    }

    func run() throws {
        print(report)
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }

    /// A rate rounded to whole spans a second.
    static func formatRate(_ rate: Double) -> String {
        format(rate.rounded())
    }

    static func formatBytes(_ bytes: Int) -> String {
        let units = ["bytes", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        if unit == 0 { return "\(bytes) bytes" }
        return "\((value * 10).rounded() / 10) \(units[unit])"
    }
}

/// What one buffered span costs in memory, measured.
///
/// Measured by `Memory, retained per buffered span, …` in
/// Benchmarks/Benchmarks/TracezBenchmarks/TracezBenchmarks.swift: fill a collector with
/// 100 000 spans and divide what glibc's allocator holds (its slots included) by the span
/// count. Same figure in each of 5 samples and in every run, 2 cores (AMD EPYC VM),
/// Swift 6.3, 2026-12-06 (issue 16, after the span was slimmed); see Docs/Performance.md:
///
///     cd Benchmarks && swift package --disable-sandbox benchmark --target TracezBenchmarks --filter ".*retained.*"
///
/// The figures include glibc's chunk overhead and, in that process only, the benchmark
/// harness's 16-byte malloc header on each of the span's allocations (2 with the standard
/// setters, 1 with 4 typed attributes), so they err on the high side by 16 to 32 bytes.
struct BufferedSpanCost {
    /// How a span's attributes are set, which decides where they are stored.
    enum Setters: String, CaseIterable, ExpressibleByArgument {
        /// `span.attributes[key] = value`: swift-distributed-tracing's dictionary.
        case standard
        /// `span.set(key, value)`: Tracez's compact store (TZ-0001), 4 inline in the span.
        case typed
    }

    /// Through `span.attributes[…]`.
    static let standard = BufferedSpanCost(bytesWithFourAttributes: 1_048, bytesWithSixteenAttributes: 2_584)
    /// Through `span.set(…)`.
    static let typed = BufferedSpanCost(bytesWithFourAttributes: 440, bytesWithSixteenAttributes: 1_144)

    static func of(_ setters: Setters) -> BufferedSpanCost {
        switch setters {
        case .standard: standard
        case .typed: typed
        }
    }

    /// A span with 4 attributes (2 short strings, an int, a double) and one event.
    let bytesWithFourAttributes: Int
    /// A span with 16 short string attributes and one event; with the figure above, gives the cost per attribute.
    let bytesWithSixteenAttributes: Int

    /// An empty slot of a collector, held from its creation (part of the figures above).
    static let bytesPerEmptySlot = MemoryLayout<SpanRecord?>.stride

    /// Estimated bytes for a buffered span with `attributes` attributes whose string values are `attributeBytes` long.
    func bytesPerSpan(attributes: Int, attributeBytes: Int) -> Int {
        // Linear through the two measured shapes: exact at 4 and 16 attributes.
        let base = bytesWithFourAttributes + (attributes - 4) * (bytesWithSixteenAttributes - bytesWithFourAttributes) / 12
        return max(Self.bytesPerEmptySlot, base) + attributes * Self.heapStringBytes(attributeBytes)
    }

    /// Heap bytes of a native string of `count` UTF-8 bytes: none up to 15 (stored inline),
    /// else a 32-byte header, the bytes and a terminator, plus the allocator's 8-byte
    /// chunk header, rounded up to 16.
    static func heapStringBytes(_ count: Int) -> Int {
        guard count > 15 else { return 0 }
        return (32 + count + 1 + 8 + 15) / 16 * 16
    }
}
