/// Reads configuration from environment variables with one vocabulary, for every module
/// (the tracer, `OTEL_BSP_*`, OTLP's `OTEL_EXPORTER_OTLP_*`, Langfuse's `LANGFUSE_*`).
///
/// The vocabulary:
/// - **Absent**: a variable that is unset, empty or only whitespace reads as `nil`; the caller
///   keeps its default. Surrounding whitespace is ignored on every value.
/// - **Booleans**: `true`, `false`, `1`, `0`, in any case.
/// - **Integers**: decimal digits with an optional sign, within the bounds the caller gives
///   (at most ``maximum``).
/// - **Numbers**: a finite decimal number (`0.25`, `1e-3`) within the caller's bounds.
/// - **Durations**: a number in the variable's own unit: whole milliseconds for the OTel
///   variables (`OTEL_BSP_SCHEDULE_DELAY`, `OTEL_EXPORTER_OTLP_TIMEOUT`), seconds with a
///   fraction for Langfuse's (`LANGFUSE_FLUSH_INTERVAL`, `LANGFUSE_TIMEOUT`), as the Python SDK.
/// - **URLs**: parsed by the caller (which knows its schemes and hosts); an error shows the
///   URL without its credentials, query and fragment.
/// - **Key=value lists**: `key=value,key=value`, values percent-decoded (W3C Baggage style, as
///   `OTEL_RESOURCE_ATTRIBUTES` and `OTEL_EXPORTER_OTLP_HEADERS`); empty entries are skipped.
///
/// A value that cannot be used throws ``TracezError/Code/invalidEnvironmentVariable``, naming
/// the variable. The value of a secret (a variable whose name says it holds headers, a key, a
/// secret, a token or a password) is shown as `[redacted]`, and a malformed entry of a list is
/// pointed at by its position, never by its text. Other values are shown up to 100 characters.
///
/// A value type over a copy of the variables: safe to use from any task.
package struct EnvironmentReader: Sendable {
    /// Past this an integer is a typo, not a setting (a billion records, or about 11 days in ms).
    package static let maximum = 1_000_000_000

    private let environment: [String: String]

    /// Pass `ProcessInfo.processInfo.environment` in an app, a dictionary literal in tests.
    package init(_ environment: [String: String]) {
        self.environment = environment
    }

    /// Whether `name` holds a secret, whose value no error may show.
    package static func isSecret(_ name: String) -> Bool {
        let upper = name.uppercased()
        return ["HEADERS", "KEY", "SECRET", "TOKEN", "PASSWORD"].contains { upper.contains($0) }
    }

    /// The value without surrounding whitespace; `nil` when unset or empty.
    package func string(_ name: String) -> String? {
        guard let raw = environment[name].map({ Self.trimmingWhitespace($0) }), !raw.isEmpty else { return nil }
        return raw
    }

    /// The first of `names` that is set, with its value: for a variable with a more specific
    /// form that wins (`OTEL_EXPORTER_OTLP_TRACES_TIMEOUT` over `OTEL_EXPORTER_OTLP_TIMEOUT`).
    package func first(of names: [String]) -> (name: String, value: String)? {
        for name in names {
            if let value = string(name) { return (name, value) }
        }
        return nil
    }

    /// The error for `name` when its value cannot be used, showing only what may be shown of it.
    package func invalid(_ name: String, reason: String, shownAs shown: String? = nil) -> TracezError {
        let value = Self.isSecret(name) ? "[redacted]" : shown ?? String((string(name) ?? "").prefix(100))
        return .invalidEnvironmentVariable(name: name, value: value, reason: reason)
    }

    /// `true`, `false`, `1` or `0`, in any case; `nil` when unset.
    package func bool(_ name: String) throws(TracezError) -> Bool? {
        guard let raw = string(name) else { return nil }
        switch raw.lowercased() {
        case "true", "1": return true
        case "false", "0": return false
        default: throw invalid(name, reason: "expected true or false (or 1 or 0)")
        }
    }

    /// A decimal integer within `range`, which is clamped to at most ``maximum``; `nil` when unset.
    package func integer(_ name: String, in range: ClosedRange<Int>) throws(TracezError) -> Int? {
        guard let raw = string(name) else { return nil }
        let upper = min(range.upperBound, Self.maximum)
        guard let value = Int(raw), value >= range.lowerBound, value <= upper else {
            throw invalid(name, reason: "expected a whole number from \(range.lowerBound) to \(upper)")
        }
        return value
    }

    /// A finite decimal number within `range`; `nil` when unset.
    package func number(_ name: String, in range: ClosedRange<Double>) throws(TracezError) -> Double? {
        guard let raw = string(name) else { return nil }
        guard let value = Double(raw), value.isFinite, range.contains(value) else {
            throw invalid(name, reason: "expected a number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    /// A duration given in whole milliseconds, at least `minimum` (the OTel variables' unit);
    /// `nil` when unset.
    package func milliseconds(_ name: String, atLeast minimum: Int) throws(TracezError) -> Duration? {
        try integer(name, in: minimum...Self.maximum).map { .milliseconds($0) }
    }

    /// A duration given in seconds, with a fraction, within `range` (Langfuse's unit, as its
    /// Python SDK reads it); kept to the millisecond. `nil` when unset.
    package func seconds(_ name: String, in range: ClosedRange<Double>) throws(TracezError) -> Duration? {
        guard let seconds = try number(name, in: range) else { return nil }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }

    /// A URL, made by `parse` (which checks its scheme and host); `nil` when unset. When
    /// `parse` throws, the error shows the URL as `redacted` makes it, and gives `reason(error)`.
    package func url<T>(
        _ name: String,
        redacted: (String) -> String,
        reason: (any Error) -> String = { "\($0)" },
        _ parse: (String) throws -> T
    ) throws(TracezError) -> T? {
        guard let raw = string(name) else { return nil }
        do {
            return try parse(raw)
        } catch {
            throw invalid(name, reason: reason(error), shownAs: redacted(raw))
        }
    }

    /// `key=value,key=value`, keys and values trimmed, values percent-decoded; `nil` when unset.
    ///
    /// Each entry is named by its `entry` noun and position (1 for the first) in an error;
    /// `check` may refuse a decoded pair by returning why. For a secret the reason never
    /// quotes an entry: a comma inside an unescaped value splits it, so even what looks like
    /// a key may be half a secret.
    package func keyValueList(
        _ name: String,
        entry: String = "entry",
        check: (_ key: String, _ value: String) -> String? = { _, _ in nil }
    ) throws(TracezError) -> [(key: String, value: String)]? {
        guard let raw = string(name) else { return nil }
        let secret = Self.isSecret(name)
        var pairs: [(key: String, value: String)] = []
        for (index, member) in raw.split(separator: ",", omittingEmptySubsequences: false).enumerated() {
            if Self.trimmingWhitespace(member).isEmpty { continue }  // `a=1,,b=2` and a trailing comma are harmless
            func failure(_ problem: String) -> TracezError {
                invalid(name, reason: secret ? "\(entry) \(index + 1): \(problem)" : "\(entry) \(index + 1) '\(member.prefix(100))': \(problem)")
            }
            let pair = member.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard pair.count == 2 else { throw failure("expected key=value (a comma inside a value must be written %2C)") }
            let key = Self.trimmingWhitespace(pair[0])
            guard !key.isEmpty else { throw failure("the key is empty") }
            guard let value = Self.removingPercentEncoding(Self.trimmingWhitespace(pair[1])) else {
                throw failure("the value has a malformed %-escape or is not UTF-8 once decoded")
            }
            if let problem = check(key, value) { throw failure(problem) }
            pairs.append((key, value))
        }
        return pairs
    }

    private static func trimmingWhitespace(_ text: some StringProtocol) -> String {
        var scalars = Substring(text).unicodeScalars
        while let first = scalars.first, first.properties.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.properties.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }

    /// Decodes `%XX` escapes; `nil` for a malformed escape or bytes that are not UTF-8.
    private static func removingPercentEncoding(_ text: String) -> String? {
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next(), let low = iterator.next(),
                let value = Hex.parse([high, low])
            else { return nil }
            bytes.append(UInt8(value))
        }
        return String(validating: bytes, as: UTF8.self)
    }
}
