import Tracez

/// The library that recorded the spans: OTLP's `InstrumentationScope`, sent once per request.
///
/// A value type; safe to share between tasks.
public struct OTLPInstrumentationScope: Sendable, Hashable {
    public var name: String
    public var version: String?

    public init(name: String, version: String? = nil) {
        self.name = name
        self.version = version
    }

    /// Tracez itself, with its version.
    public static let tracez = OTLPInstrumentationScope(name: "tracez", version: TracezVersion.current)
}
