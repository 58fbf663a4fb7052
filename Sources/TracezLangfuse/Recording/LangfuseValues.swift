import Foundation
import Synchronization

/// How input, output and metadata values are shaped before they are put on a span:
/// the user's redaction hook, then the size cap. Process-wide, because the typed setters
/// are called wherever the code is, far from any configuration.
///
/// ``LangfuseExporter`` installs its configuration's ``LangfuseConfiguration/mask`` and
/// ``LangfuseConfiguration/maxValueBytes`` when it is made; ``install(mask:maxValueBytes:)``
/// does the same by hand.
///
/// Thread-safety: every member may be called from any task.
public enum LangfuseValues {
    struct Settings: Sendable {
        var mask: (@Sendable (JSONValue) -> JSONValue)?
        var maxValueBytes: Int
        var defaults: TraceAttributes
    }

    /// 64 KiB: under the tracer's default attribute value cap (128 KiB), so the tracer
    /// never cuts a JSON value in the middle.
    public static let defaultMaxValueBytes = 64 * 1024

    private static let settings = Mutex(Settings(mask: nil, maxValueBytes: defaultMaxValueBytes, defaults: TraceAttributes()))
    private static let truncated = Atomic<Int>(0)
    private static let unencodable = Atomic<Int>(0)

    /// Sets the redaction hook, the size cap, and the trace fields every observation starts
    /// with (environment and release from the configuration), for observations from now on.
    public static func install(
        mask: (@Sendable (JSONValue) -> JSONValue)?,
        maxValueBytes: Int = defaultMaxValueBytes,
        defaults: TraceAttributes = TraceAttributes()
    ) {
        settings.withLock { $0 = Settings(mask: mask, maxValueBytes: max(256, maxValueBytes), defaults: defaults) }
    }

    /// The trace fields every observation starts with.
    static var defaults: TraceAttributes { settings.withLock { $0.defaults } }

    /// Values replaced by a truncation marker because they were over the cap, since the process started.
    public static var truncatedCount: Int { truncated.load(ordering: .relaxed) }
    /// Values that `JSONEncoder` refused, sent as a marker instead, since the process started.
    public static var unencodableCount: Int { unencodable.load(ordering: .relaxed) }

    /// `value` as the JSON text to send: encoded, masked, and within the cap.
    ///
    /// Never fails: a value that cannot be encoded becomes `{"tracez.unencodable": "<reason>"}`,
    /// one over the cap becomes `{"tracez.truncated": true, "bytes": N, "preview": "…"}`;
    /// both are counted.
    static func jsonText(_ value: some Encodable) -> String {
        let current = settings.withLock { $0 }
        var json: JSONValue
        do {
            json = try JSONValue(encoding: value)
        } catch {
            unencodable.add(1, ordering: .relaxed)
            json = .object(["tracez.unencodable": .string(String(describing: type(of: value)))])
        }
        if let mask = current.mask { json = mask(json) }
        let text = json.jsonText
        let bytes = text.utf8.count
        guard bytes > current.maxValueBytes else { return text }
        truncated.add(1, ordering: .relaxed)
        // A preview on a scalar boundary, leaving room for the marker around it.
        var preview = ""
        var used = 0
        for scalar in text.unicodeScalars {
            used += String(scalar).utf8.count
            if used > current.maxValueBytes / 2 { break }
            preview.unicodeScalars.append(scalar)
        }
        return JSONValue.object([
            "tracez.truncated": .bool(true),
            "bytes": .number(Double(bytes)),
            "preview": .string(preview),
        ]).jsonText
    }
}
