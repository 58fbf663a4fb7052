import Synchronization
import Tracing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Prints finished spans for people: each trace as an indented tree, or one JSON object per line.
///
/// In ``Format/tree`` mode the exporter holds a trace's spans until its root
/// span arrives (a root ends after its children), then prints the whole tree.
/// At most ``maxHeldSpans`` wait; past that, and at shutdown, incomplete traces
/// are printed as they are, marked `(incomplete)`. Nothing is ever held back silently.
///
/// Thread-safety: safe to call from any task; output of one batch is written in one piece.
public final class StdoutExporter: Exporter {
    public enum Format: Sendable, Hashable {
        /// Each trace as an indented tree: name, duration, status, key attributes, events.
        case tree
        /// One JSON object per span, per line (JSON Lines).
        case jsonLines
    }

    public let format: Format
    /// Spans held while waiting for their trace's root, in ``Format/tree`` mode.
    public let maxHeldSpans: Int
    /// How ``Format/tree`` lays a trace out: its width, its summarizers, verbose or not.
    let renderer: TraceTreeRenderer
    private let write: @Sendable (String) -> Void
    private let held = SanitizedMutex<HeldTraces>(HeldTraces())

    private struct HeldTraces {
        var spans: [TraceID: [SpanRecord]] = [:]
        var order: [TraceID] = []  // first seen first
        var count = 0
    }

    /// - Parameters:
    ///   - format: How spans are printed: see ``Format``.
    ///   - maxHeldSpans: The most spans held back in ``Format/tree`` mode while their trace's
    ///     root has not arrived.
    ///   - width: The longest line of the tree, in characters: by default `$COLUMNS`, else the
    ///     terminal's width, else 100.
    ///   - summarizers: What says, in a phrase, what each span is; the first answer wins. By
    ///     default OpenTelemetry's semantic conventions (``SemanticConventionsSummarizer``).
    ///   - isVerbose: Every attribute under its span, one per line.
    ///   - write: Where text goes; standard output by default. Tests pass a closure that collects it.
    public init(
        format: Format = .tree,
        maxHeldSpans: Int = 10_000,
        width: Int? = nil,
        summarizers: [any SpanSummarizer] = [SemanticConventionsSummarizer()],
        isVerbose: Bool = false,
        write: @escaping @Sendable (String) -> Void = StdoutExporter.writeToStandardOutput
    ) {
        self.format = format
        self.maxHeldSpans = max(0, maxHeldSpans)
        // Colour only on a terminal, and never when the caller set the width (a test, a log).
        let usesColor = width == nil && TraceTreeRenderer.wantsColor()
        renderer = TraceTreeRenderer(
            width: width ?? TraceTreeRenderer.terminalWidth(),
            summarizers: summarizers,
            isVerbose: isVerbose,
            usesColor: usesColor
        )
        self.write = write
    }

    public func export(_ batch: [SpanRecord]) async throws {
        switch format {
        case .jsonLines:
            write(batch.map { Self.jsonLine($0) + "\n" }.joined())
        case .tree:
            let ready = collectFinishedTraces(adding: batch)
            let text = ready.map { renderer.render($0.spans, incomplete: $0.incomplete) }.joined()
            if !text.isEmpty { write(text) }
        }
    }

    /// Prints the traces still waiting for their root.
    public func shutdown() async {
        let left = held.withLock { held -> [[SpanRecord]] in
            defer { held = HeldTraces() }
            return held.order.compactMap { held.spans[$0] }
        }
        let text = left.map { renderer.render($0, incomplete: true) }.joined()
        if !text.isEmpty { write(text) }
    }

    /// Writes all of `text` to file descriptor 1, unbuffered, so it interleaves
    /// predictably with other writers of this function.
    @Sendable
    public static func writeToStandardOutput(_ text: String) {
        var text = text
        text.withUTF8 { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = writeToFileDescriptor(1, buffer.baseAddress! + offset, buffer.count - offset)
                if written <= 0 {
                    if written < 0 && errno == EINTR { continue }
                    return  // stdout closed: nothing sensible to do
                }
                offset += written
            }
        }
    }

    // MARK: - Grouping by trace

    private func collectFinishedTraces(adding batch: [SpanRecord]) -> [(spans: [SpanRecord], incomplete: Bool)] {
        held.withLock { held in
            var finished: [TraceID] = []
            for record in batch {
                if held.spans[record.traceID] == nil { held.order.append(record.traceID) }
                held.spans[record.traceID, default: []].append(record)
                held.count += 1
                if record.parentSpanID == nil || record.parentIsRemote { finished.append(record.traceID) }
            }
            var ready: [(spans: [SpanRecord], incomplete: Bool)] = []
            for traceID in finished {
                guard let spans = held.spans.removeValue(forKey: traceID) else { continue }
                held.count -= spans.count
                ready.append((spans, false))
            }
            // Over the cap: print the oldest waiting traces as they are.
            var index = 0
            while held.count > maxHeldSpans, index < held.order.count {
                if let spans = held.spans.removeValue(forKey: held.order[index]) {
                    held.count -= spans.count
                    ready.append((spans, true))
                }
                index += 1
            }
            held.order.removeAll { held.spans[$0] == nil }
            return ready
        }
    }

    // MARK: - Formatting

    static func displayValue(_ value: SpanAttribute) -> String {
        var writer = JSONWriter()
        switch value {
        case .string(let string): return string
        // Nine decimals are plenty for people and hide binary noise such as 0.00022544999999999998.
        case .double(let double) where double.isFinite && abs(double) < 1e9: writer.number((double * 1e9).rounded() / 1e9)
        default: writer.attribute(value)
        }
        return writer.text
    }

    package static func formatDuration(_ nanoseconds: UInt64) -> String {
        let value = Double(nanoseconds)
        // Pick the unit after rounding, so 999.96 µs reads "1.0 ms", not "1000.0 µs".
        if nanoseconds < 999_950 { return "\(rounded(value / 1_000, places: 1)) µs" }
        if nanoseconds < 999_950_000 { return "\(rounded(value / 1_000_000, places: 1)) ms" }
        return "\(rounded(value / 1_000_000_000, places: 2)) s"
    }

    private static func rounded(_ value: Double, places: Int) -> Double {
        let scale = places == 1 ? 10.0 : 100.0
        return (value * scale).rounded() / scale
    }

    static func jsonLine(_ span: SpanRecord) -> String {
        var json = JSONWriter()
        json.object { o in
            o.member("traceId") { $0.string(span.traceID.hexString) }
            o.member("spanId") { $0.string(span.spanID.hexString) }
            if let parent = span.parentSpanID { o.member("parentSpanId") { $0.string(parent.hexString) } }
            o.member("name") { $0.string(span.name) }
            o.member("kind") { $0.string("\(span.kind)") }
            o.member("startTimeUnixNano") { $0.number(span.startNanoseconds) }
            o.member("endTimeUnixNano") { $0.number(span.endNanoseconds) }
            if let status = span.status {
                o.member("status") { w in
                    w.object { s in
                        s.member("code") { $0.string(status.code == .ok ? "ok" : "error") }
                        if let message = status.message { s.member("message") { $0.string(message) } }
                    }
                }
            }
            let maxTextBytes = span.maxAttributeValueBytes
            o.member("attributes") { $0.attributes(span, maxTextBytes: maxTextBytes) }
            if !span.events.isEmpty {
                o.member("events") { w in
                    w.array(span.events) { w, event in
                        w.object { e in
                            e.member("name") { $0.string(event.name) }
                            e.member("timeUnixNano") { $0.number(event.nanoseconds) }
                            e.member("attributes") { $0.attributes(event.attributes, maxTextBytes: maxTextBytes) }
                        }
                    }
                }
            }
            if !span.links.isEmpty {
                o.member("links") { w in
                    w.array(span.links) { w, link in
                        w.object { l in
                            l.member("traceId") { $0.string(link.context.traceID.hexString) }
                            l.member("spanId") { $0.string(link.context.spanID.hexString) }
                            l.member("attributes") { $0.attributes(link.attributes, maxTextBytes: maxTextBytes) }
                        }
                    }
                }
            }
            let drops = span.droppedAttributeCount + span.droppedEventCount + span.droppedLinkCount
            if drops > 0 || span.truncatedValueCount > 0 {
                o.member("droppedAttributesCount") { $0.number(span.droppedAttributeCount) }
                o.member("droppedEventsCount") { $0.number(span.droppedEventCount) }
                o.member("droppedLinksCount") { $0.number(span.droppedLinkCount) }
                o.member("truncatedValuesCount") { $0.number(span.truncatedValueCount) }
            }
        }
        return json.text
    }
}

extension String {
    func replacingNewlines() -> String {
        guard contains(where: \.isNewline) else { return self }
        return String(map { $0.isNewline ? " " : $0 })
    }
}

@inline(__always)
private func writeToFileDescriptor(_ fd: Int32, _ pointer: UnsafePointer<UInt8>, _ count: Int) -> Int {
    #if canImport(Darwin)
        return Darwin.write(fd, pointer, count)
    #elseif canImport(Musl)
        return Musl.write(fd, pointer, count)
    #else
        return Glibc.write(fd, pointer, count)
    #endif
}
