import Tracez

/// The page's HTML: server-rendered, one self-contained document per request (inline style,
/// no script, no external asset), so that it works offline and without JavaScript.
///
/// Every text that comes from spans or exporters is escaped here.
enum PageHTML {
    /// The `/tracez` page. `base` is the page's own path component (`tracez`), for relative links.
    static func index(_ snapshot: TracezPageSnapshot, base: String, refresh: Duration) -> String {
        var html = head(title: snapshot.title, refresh: refresh)
        html += "<h1>\(escape(snapshot.title)) <span class=\"dim\">/tracez</span></h1>\n"
        let spans = snapshot.spanNames.reduce(0) { $0 + $1.count } + (snapshot.otherNames?.count ?? 0)
        let errors = snapshot.spanNames.reduce(0) { $0 + $1.errors } + (snapshot.otherNames?.errors ?? 0)
        html += "<p class=\"sub\">up \(duration(seconds: snapshot.uptimeSeconds)) · \(spans) spans read, \(errors) with errors · "
        html += "refreshes every \(duration(seconds: refresh.secondsAsDouble)) · <a href=\"\(escape(base)).json\">the same as JSON</a></p>\n"

        html += "<h2>Spans by name</h2>\n"
        if snapshot.spanNames.isEmpty && snapshot.otherNames == nil {
            html += "<p class=\"dim\">No span has ended yet.</p>\n"
        } else {
            html += "<table id=\"spans\">\n<tr><th class=\"name\">span name</th><th>count</th><th>errors</th>"
            for label in snapshot.latencyBuckets { html += "<th>\(escape(label))</th>" }
            html += "</tr>\n"
            for summary in snapshot.spanNames { html += spanRow(summary, base: base, links: true) }
            if let other = snapshot.otherNames { html += spanRow(other, base: base, links: false) }
            html += "</table>\n"
        }

        html += "<h2>Export pipelines</h2>\n"
        if snapshot.pipelines.isEmpty {
            html += "<p class=\"dim\">The page watches no pipeline.</p>\n"
        } else {
            html += "<table id=\"pipelines\">\n<tr><th class=\"name\">collector</th><th>fill</th><th>recorded</th><th>exported</th>"
            html += "<th>pending</th><th>dropped</th><th>export rate</th><th>circuit</th><th class=\"name\">last error</th><th>next retry</th></tr>\n"
            for pipeline in snapshot.pipelines { html += pipelineRow(pipeline) }
            html += "</table>\n"
        }
        let recorder = snapshot.flightRecorder
        html += "<p class=\"sub\">The page's flight recorder holds \(recorder.capacity) spans between reads; "
        html += "it has read \(recorder.exported), and \(recorder.dropped[DropReason.overwritten.rawValue] ?? 0) came too fast to be read.</p>\n"
        return html + "</body>\n</html>\n"
    }

    /// A page of sample traces for one span name and selection.
    static func samples(_ samples: [TraceSample], name: String, selection: SampleSelection, base: String, renderer: TraceTreeRenderer) -> String {
        let what =
            switch selection {
            case .latency(let bucket): "latency \(bucket.label)"
            case .errors: "errors"
            }
        var html = head(title: "\(name) · \(what)", refresh: nil)
        html += "<p><a href=\"../\(escape(base))\">← all spans</a></p>\n"
        html += "<h1><span class=\"span-name\">\(escape(name))</span> <span class=\"dim\">· \(escape(what))</span></h1>\n"
        if samples.isEmpty {
            html += "<p class=\"dim\">No sample is held for this span name and selection.</p>\n"
        }
        for sample in samples {
            let span = sample.span
            html += "<div class=\"sample\"><h3>\(escape(span.name)) <span class=\"dim\">\(StdoutExporter.formatDuration(span.durationNanoseconds))"
            if span.isError { html += " · <span class=\"err\">error</span>" }
            html += " · trace \(span.traceID.hexString) · span \(span.spanID.hexString)</span></h3>\n"
            let tree = renderer.render(sample.trace, incomplete: !sample.trace.contains { $0.parentSpanID == nil })
            html += "<pre>\(escape(tree))</pre></div>\n"
        }
        return html + "</body>\n</html>\n"
    }

    private static func spanRow(_ summary: SpanNameSummary, base: String, links: Bool) -> String {
        let peak = max(1, summary.latency.max() ?? 1)
        var row = "<tr data-span-name=\"\(escape(summary.name))\"><td class=\"name span-name\">\(escape(summary.name))</td>"
        row += "<td class=\"count\">\(summary.count)</td>"
        if summary.errors > 0 && links && summary.errorSamples > 0 {
            row += "<td class=\"errors err\"><a href=\"\(escape(samplesLink(base: base, name: summary.name, selection: "errors")))\">\(summary.errors)</a></td>"
        } else {
            row += "<td class=\"errors\(summary.errors > 0 ? " err" : " zero")\">\(summary.errors)</td>"
        }
        for (index, count) in summary.latency.enumerated() {
            guard count > 0 else {
                row += "<td class=\"bucket zero\">0</td>"
                continue
            }
            // Shade by the share of this name's busiest bucket: the histogram's shape at a glance.
            let alpha = 0.12 + 0.6 * Double(count) / Double(peak)
            let style = "background:rgba(46,110,200,\(format2(alpha)))\(alpha > 0.45 ? ";color:#fff" : "")"
            if links && summary.samples[index] > 0 {
                let link = samplesLink(base: base, name: summary.name, selection: "bucket=\(index)")
                row += "<td class=\"bucket\" style=\"\(style)\"><a href=\"\(escape(link))\">\(count)</a></td>"
            } else {
                row += "<td class=\"bucket\" style=\"\(style)\">\(count)</td>"
            }
        }
        return row + "</tr>\n"
    }

    private static func pipelineRow(_ pipeline: PipelineSummary) -> String {
        let collector = pipeline.collector
        let percent = collector.capacity > 0 ? min(100, collector.buffered * 100 / collector.capacity) : 0
        var row = "<tr data-collector=\"\(escape(collector.name))\"><td class=\"name\">\(escape(collector.name))</td>"
        row += "<td><div class=\"bar level-\(escape(collector.fillLevel))\"><span style=\"width:\(percent)%\"></span></div>"
        row += "<span class=\"dim\">\(collector.buffered) / \(collector.capacity) · \(escape(collector.fillLevel))</span></td>"
        for (field, value) in [("recorded", collector.recorded), ("exported", collector.exported), ("pending", collector.pending)] {
            row += "<td class=\"\(field)\">\(value)</td>"
        }
        let reasons = collector.dropped.filter { $0.value > 0 }.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
        row += "<td class=\"dropped\(collector.droppedTotal > 0 ? " err" : " zero")\">\(collector.droppedTotal)"
        if !reasons.isEmpty { row += "<div class=\"dim\">\(escape(reasons.joined(separator: " · ")))</div>" }
        row += "</td><td>\(format1(pipeline.exportedPerSecond))/s</td>"
        row += "<td><span class=\"circuit \(escape(pipeline.circuit))\">\(escape(pipeline.circuit))</span></td>"
        if let error = pipeline.lastError {
            let ago = pipeline.lastErrorSecondsAgo.map { " <span class=\"dim\">\(duration(seconds: $0)) ago</span>" } ?? ""
            row += "<td class=\"name\" title=\"\(escape(error))\">\(escape(TraceTreeRenderer.cut(error, to: 80)))\(ago)</td>"
        } else {
            row += "<td class=\"name dim\">none</td>"
        }
        row += "<td>\(pipeline.nextRetryInSeconds.map { "in " + duration(seconds: $0) } ?? "<span class=\"dim\">none</span>")</td>"
        return row + "</tr>\n"
    }

    static func samplesLink(base: String, name: String, selection: String) -> String {
        "\(base)/samples?name=\(percentEncoded(name))&\(selection)"
    }

    private static func head(title: String, refresh: Duration?) -> String {
        var html = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        if let refresh { html += "<meta http-equiv=\"refresh\" content=\"\(max(1, refresh.components.seconds))\">\n" }
        html += "<title>\(escape(title))</title>\n<style>\(style)</style>\n</head>\n<body>\n"
        return html
    }

    private static let style = """
        body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:28px;color:#1d2330;background:#f7f8fa}
        h1{font-size:22px;margin:0 0 4px}h2{font-size:15px;margin:26px 0 8px;color:#384050}
        h3{font-size:14px;margin:18px 0 6px}a{color:#1f5fbf}
        .sub{color:#5c6577;margin:4px 0 14px}.dim{color:#8a93a3;font-weight:normal}
        table{border-collapse:collapse;background:#fff;box-shadow:0 1px 3px rgba(16,24,40,.1);border-radius:6px;overflow:hidden}
        th,td{padding:6px 10px;border-bottom:1px solid #eceef2;text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
        th{background:#eef1f5;font-size:12px;font-weight:600;color:#465063}
        .name{text-align:left;max-width:380px;overflow:hidden;text-overflow:ellipsis}
        td.bucket{min-width:44px}td.bucket a{color:inherit;text-decoration:none;display:block}
        td.zero{color:#c3c8d1}.err{color:#c0262d;font-weight:600}td.err a{color:#c0262d}
        .bar{display:inline-block;vertical-align:middle;width:90px;height:8px;margin-right:8px;background:#e6e9ee;border-radius:4px;overflow:hidden}
        .bar>span{display:block;height:8px;background:#2f9e44}.level-warning>span{background:#e8a317}
        .level-critical>span,.level-overflow>span{background:#c0262d}
        .circuit{padding:1px 8px;border-radius:9px;font-size:12px;background:#e3f4e6;color:#22803a}
        .circuit.halfOpen{background:#fdf1d8;color:#9a6500}.circuit.open{background:#fbe3e4;color:#c0262d}
        pre{background:#fff;border:1px solid #e3e6eb;border-radius:6px;padding:12px;overflow-x:auto;font:12px/1.5 ui-monospace,Menlo,Consolas,monospace}
        """

    /// Escapes text for HTML element content and double- or single-quoted attributes.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }

    /// Percent-encodes everything but RFC 3986's unreserved characters, for a query value.
    static func percentEncoded(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                out.unicodeScalars.append("%")
                out.unicodeScalars.append(hex[Int(byte >> 4)])
                out.unicodeScalars.append(hex[Int(byte & 0xF)])
            }
        }
        return out
    }

    /// `12.3 µs`, `4.5 ms`, `1.2 s` as the trace tree writes them; then `3 min 5 s`, `2 h 10 min`.
    static func duration(seconds: Double) -> String {
        switch seconds {
        case ..<0: "0.0 µs"
        case ..<60: StdoutExporter.formatDuration(UInt64(seconds * 1e9))
        case ..<3600: "\(Int(seconds) / 60) min \(Int(seconds) % 60) s"
        default: "\(Int(seconds) / 3600) h \(Int(seconds) % 3600 / 60) min"
        }
    }

    /// One decimal, without Foundation: `12.3`.
    static func format1(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(abs(tenths % 10))"
    }

    static func format2(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        return "\(hundredths / 100).\(hundredths % 100 < 10 ? "0" : "")\(hundredths % 100)"
    }
}
