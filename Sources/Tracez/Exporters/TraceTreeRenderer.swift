#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Renders one trace as an indented tree that fits a terminal: a header line, then a line per
/// span in columns (name, kind, duration, start offset from the trace's start, and a phrase
/// that says what the span is), its events under it.
///
/// No line is longer than ``width`` (counted in characters); names and phrases are cut with
/// `…`, never wrapped, so the tree guides stay straight. Payloads never appear inline; with
/// ``isVerbose`` every attribute follows its span, one per line.
///
/// Thread-safety: a value; safe from any task.
package struct TraceTreeRenderer: Sendable {
    /// The longest a line may be, in characters; at least 40.
    var width: Int
    /// Asked in order; the first answer is the span's phrase.
    var summarizers: [any SpanSummarizer]
    var isVerbose: Bool
    /// Dims the tree guides and columns with ANSI escapes (added after the layout, so widths hold).
    var usesColor: Bool

    package init(width: Int = 100, summarizers: [any SpanSummarizer] = [SemanticConventionsSummarizer()], isVerbose: Bool = false, usesColor: Bool = false) {
        self.width = max(40, width)
        self.summarizers = summarizers
        self.isVerbose = isVerbose
        self.usesColor = usesColor
    }

    /// The process's environment variable `name` (the core does not import Foundation).
    static func variable(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }

    /// `$COLUMNS` when set, else what the terminal on standard output reports, else 100.
    static func terminalWidth(columns: String? = variable("COLUMNS")) -> Int {
        if let columns = columns.flatMap({ Int($0.filter { $0 != " " }) }), columns > 0 { return columns }
        var size = winsize()
        if isatty(1) == 1, ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return 100
    }

    /// Colour when standard output is a terminal and `NO_COLOR` is unset (no-color.org).
    static func wantsColor(noColor: String? = variable("NO_COLOR")) -> Bool {
        isatty(1) == 1 && (noColor ?? "").isEmpty
    }

    package func render(_ spans: [SpanRecord], incomplete: Bool) -> String {
        guard !spans.isEmpty else { return "" }
        let ids = Set(spans.map(\.spanID))
        var children: [SpanID: [SpanRecord]] = [:]
        var roots: [SpanRecord] = []
        for span in spans {
            if let parent = span.parentSpanID, ids.contains(parent) {
                children[parent, default: []].append(span)
            } else {
                roots.append(span)
            }
        }
        roots.sort { $0.startNanoseconds < $1.startNanoseconds }
        let traceStart = spans.map(\.startNanoseconds).min() ?? 0

        // Depth-first order, with each line's tree guide.
        var rows: [(span: SpanRecord, guide: String, childGuide: String)] = []
        var stack: [(span: SpanRecord, prefix: String, isLast: Bool)] = roots.enumerated().reversed().map { ($1, "", $0 == roots.count - 1) }
        while let (span, prefix, isLast) = stack.popLast() {  // a loop, not recursion: depth is the input's
            rows.append((span, prefix + (isLast ? "└─ " : "├─ "), prefix + (isLast ? "   " : "│  ")))
            let kids = (children[span.spanID] ?? []).sorted { $0.startNanoseconds < $1.startNanoseconds }
            for (index, kid) in kids.enumerated().reversed() {
                stack.append((kid, prefix + (isLast ? "   " : "│  "), index == kids.count - 1))
            }
        }

        // Columns: the name column as wide as the widest guide and name, up to 45 % of the line
        // and never leaving the phrase fewer than 16 characters.
        // Below 80 columns the kind column goes: the name and the phrase say more.
        let showsKind = width >= 80
        let fixedColumns = (showsKind ? 10 : 0) + 9 + 11
        let widest = rows.map { $0.guide.count + $0.span.name.count }.max() ?? 0
        let nameWidth = min(widest, max(12, min(width * 45 / 100, width - fixedColumns - 2 - 16)))
        var out = header(spans, roots: roots, incomplete: incomplete) + "\n"
        for (span, guide, childGuide) in rows {
            let name = Self.cut(guide + span.name, to: nameWidth)
            var line = Self.padded(name, to: nameWidth)
            if showsKind { line += "  " + Self.padded(span.kind == .internal ? "" : "\(span.kind)", to: 8) }
            line += Self.leftPadded(Self.duration(span.durationNanoseconds), to: 9)
            line += Self.leftPadded("+" + Self.duration(span.startNanoseconds &- traceStart), to: 11)
            if let phrase = phrase(for: span) { line += "  " + phrase }
            out += styled(Self.cut(line, to: width), guideLength: guide.count) + "\n"
            let hasChildren = !(children[span.spanID] ?? []).isEmpty
            let detailGuide = childGuide + (hasChildren ? "│  " : "   ")
            for event in span.events where event.name != "exception" || span.status?.message == nil {
                var text = detailGuide + "• " + event.name
                if let summary = Self.attributeList(event.attributes) { text += "  " + summary }
                out += Self.cut(text, to: width) + "\n"
            }
            if isVerbose {
                for (key, value) in Self.sortedAttributes(span) {
                    out += Self.cut(detailGuide + "· " + key + " = " + value, to: width) + "\n"
                }
            }
        }
        return out
    }

    /// `trace 4bf92f35 chat request  12.3 ms  user u-1  session s-1  9 spans, 1 error`.
    private func header(_ spans: [SpanRecord], roots: [SpanRecord], incomplete: Bool) -> String {
        let first = roots.first ?? spans[0]
        let start = spans.map(\.startNanoseconds).min() ?? 0
        let end = spans.map(\.endNanoseconds).max() ?? start
        var parts = ["trace \(String(first.traceID.hexString.prefix(8))) \(first.name)", Self.duration(end &- start)]
        func firstString(_ key: String) -> String? {
            for span in spans { if case .string(let value)? = span.attribute(key) { return value } }
            return nil
        }
        if let user = firstString("user.id") { parts.append("user \(user)") }
        if let session = firstString("session.id") { parts.append("session \(session)") }
        let errors = spans.count { $0.isError }
        var counts = spans.count == 1 ? "1 span" : "\(spans.count) spans"
        if errors > 0 { counts += errors == 1 ? ", 1 error" : ", \(errors) errors" }
        parts.append(counts + (incomplete ? " (incomplete)" : ""))
        return Self.cut(parts.joined(separator: "  "), to: width)
    }

    /// Errors first, in plain words; then what a summarizer says the span is.
    private func phrase(for span: SpanRecord) -> String? {
        let summary = summarizers.lazy.compactMap { $0.summary(of: span) }.first
        guard span.isError else { return summary }
        let error = "ERROR" + (span.status?.message.map { " " + $0.replacingNewlines() } ?? "")
        return summary.map { error + " · " + $0 } ?? error
    }

    private func styled(_ line: String, guideLength: Int) -> String {
        guard usesColor, guideLength > 0, line.count >= guideLength else { return line }
        let dim = "\u{1B}[2m"
        let reset = "\u{1B}[0m"
        return dim + String(line.prefix(guideLength)) + reset + String(line.dropFirst(guideLength))
    }

    // MARK: - Text

    /// `text` with at most `limit` characters, the last of them `…` when it was longer. Walks
    /// at most `limit` characters, however long `text` is (a span name can be megabytes).
    package static func cut(_ text: String, to limit: Int) -> String {
        guard limit > 0 else { return "" }
        var end = text.startIndex
        var count = 0
        while end < text.endIndex, count < limit {
            text.formIndex(after: &end)
            count += 1
        }
        guard end < text.endIndex else { return text }
        return String(text[..<text.index(before: end)]) + "…"
    }

    static func padded(_ text: String, to width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    static func leftPadded(_ text: String, to width: Int) -> String {
        text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
    }

    /// `key=value` pairs by key, values cut short: an event's attributes on one line.
    static func attributeList(_ attributes: SpanAttributes) -> String? {
        let pairs = sortedAttributes(attributes).map { "\($0.key)=\(cut($0.value, to: 40))" }
        return pairs.isEmpty ? nil : pairs.joined(separator: " ")
    }

    static func sortedAttributes(_ attributes: some AttributeWalk) -> [(key: String, value: String)] {
        var pairs: [(key: String, value: String)] = []
        attributes.forEachAttribute { key, value in pairs.append((key, StdoutExporter.displayValue(value).replacingNewlines())) }
        return pairs.sorted { $0.key < $1.key }
    }

    static func duration(_ nanoseconds: UInt64) -> String {
        StdoutExporter.formatDuration(nanoseconds)
    }
}
