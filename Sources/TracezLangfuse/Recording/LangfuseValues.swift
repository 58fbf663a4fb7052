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
        var maxDepth: Int = JSONValue.defaultMaxDepth
        var defaults: TraceAttributes
    }

    /// 64 KiB: under the tracer's default attribute value cap (128 KiB), so the tracer
    /// never cuts a JSON value in the middle.
    public static let defaultMaxValueBytes = 64 * 1024

    private static let settings = Mutex(Settings(mask: nil, maxValueBytes: defaultMaxValueBytes, defaults: TraceAttributes()))
    private static let truncated = Atomic<Int>(0)
    private static let unencodable = Atomic<Int>(0)

    /// Sets the redaction hook, the size and depth caps, and the trace fields every observation
    /// starts with (environment and release from the configuration), for observations from now on.
    public static func install(
        mask: (@Sendable (JSONValue) -> JSONValue)?,
        maxValueBytes: Int = defaultMaxValueBytes,
        maxDepth: Int = JSONValue.defaultMaxDepth,
        defaults: TraceAttributes = TraceAttributes()
    ) {
        settings.withLock {
            $0 = Settings(mask: mask, maxValueBytes: max(256, maxValueBytes), maxDepth: max(1, maxDepth), defaults: defaults)
        }
    }

    /// The trace fields every observation starts with.
    static var defaults: TraceAttributes { settings.withLock { $0.defaults } }

    /// Values replaced by a truncation marker because they were over the size cap or nested
    /// deeper than the depth cap, since the process started.
    public static var truncatedCount: Int { truncated.load(ordering: .relaxed) }
    /// Values that could not be encoded, sent as a marker instead, since the process started.
    public static var unencodableCount: Int { unencodable.load(ordering: .relaxed) }

    /// `value` as the text to send: encoded, masked, and within the caps; a string as itself,
    /// anything else as JSON text.
    ///
    /// Never fails, and never follows a value deeper than the depth cap (nor a mask's answer):
    /// - a value that cannot be encoded becomes `{"tracez.unencodable": "<type>"}`;
    /// - one nested deeper than the cap becomes
    ///   `{"tracez.truncated": true, "reason": "nested deeper than 128 levels"}`;
    /// - one over the size cap becomes
    ///   `{"tracez.truncated": true, "reason": "over 65536 bytes", "bytes": N, "preview": "…"}`.
    /// Each is counted (``unencodableCount``, ``truncatedCount``).
    static func jsonText(_ value: some Encodable) -> String {
        let current = settings.withLock { $0 }
        let tooDeep = JSONValue.object([
            "tracez.truncated": .bool(true),
            "reason": .string("nested deeper than \(current.maxDepth) levels"),
        ])
        var json: JSONValue
        do {
            json = try JSONValue(encoding: value, maxDepth: current.maxDepth)
        } catch is JSONValueEncoder.TooDeep {
            truncated.add(1, ordering: .relaxed)
            return tooDeep.jsonText
        } catch {
            unencodable.add(1, ordering: .relaxed)
            json = .object(["tracez.unencodable": .string(String(describing: type(of: value)))])
        }
        if let mask = current.mask {
            json = mask(json)
            // The mask is the user's code: its answer is measured like any other value.
            if json.isNested(deeperThan: current.maxDepth) {
                truncated.add(1, ordering: .relaxed)
                JSONValue.releaseIteratively(consume json)  // ours alone, and deep enough to exhaust the stack
                return tooDeep.jsonText
            }
        }
        // A string is sent as the string itself, not JSON-quoted, as the official SDKs send it:
        // Langfuse stores what it receives, quotes included. Other values go as JSON text.
        let text: String
        if case .string(let string) = json { text = string } else { text = json.jsonText }
        let bytes = text.utf8.count
        guard bytes > current.maxValueBytes else { return text }
        truncated.add(1, ordering: .relaxed)
        // A preview on a scalar boundary, leaving room for the marker around it (escaping
        // at most doubles it).
        let preview = text.truncatedToUTF8Bytes(current.maxValueBytes / 4)
        return JSONValue.object([
            "tracez.truncated": .bool(true),
            "reason": .string("over \(current.maxValueBytes) bytes"),
            "bytes": .number(Double(bytes)),
            "preview": .string(preview),
        ]).jsonText
    }
}
