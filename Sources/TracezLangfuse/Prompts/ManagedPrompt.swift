import Foundation

/// What every prompt from ``LangfusePrompts`` has: the name and version that link a
/// generation to it, whether it is the caller's fallback, and its `config`.
///
/// ``TextPrompt``, ``ChatPrompt`` and ``LangfusePrompt`` conform; `Observation.setPrompt(_:)`
/// and `withGeneration(_:model:prompt:…)` take any of them.
public protocol ManagedPrompt: Sendable {
    /// The prompt's name in Langfuse.
    var name: String { get }
    /// The version fetched; 0 for a fallback.
    var version: Int { get }
    /// Whether this is the caller's fallback, returned because the prompt could not be fetched:
    /// no generation is linked to a fallback.
    var isFallback: Bool { get }
    /// The version's `config`, any JSON (`.null` when it has none, and for a fallback unless given).
    var config: JSONValue { get }
}

extension ManagedPrompt {
    /// ``config`` decoded as `type`, with the JSON rules of `JSONDecoder` (keys as written).
    ///
    /// ```swift
    /// struct ModelConfig: Decodable { var model: String; var temperature: Double }
    /// let settings = try prompt.config(as: ModelConfig.self)
    /// ```
    ///
    /// - Throws: the `DecodingError` that says which field did not fit.
    public func config<T: Decodable>(as type: T.Type = T.self) throws -> T {
        let data = try JSONEncoder().encode(config)
        return try JSONDecoder().decode(T.self, from: data)
    }

    /// Whether a generation may be linked to this prompt: fetched, not a fallback.
    var isLinkable: Bool { !isFallback }
}
