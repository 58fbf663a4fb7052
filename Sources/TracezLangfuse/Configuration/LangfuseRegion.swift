import TracezHTTP

/// A Langfuse Cloud region: where the data is kept, and so the server to send to.
///
/// ```swift
/// let configuration = try LangfuseConfiguration(publicKey: publicKey, secretKey: secretKey, baseURL: LangfuseRegion.us.baseURL)
/// ```
///
/// Self-hosted servers have no region: give their URL. `LANGFUSE_BASE_URL` (see
/// ``LangfuseSettings``) names the server whatever the code says.
public struct LangfuseRegion: Sendable, Hashable, CustomStringConvertible {
    /// The region's short name: `eu`, `us`, `hipaa`.
    public let name: String
    /// The region's server, as text.
    public let url: String

    /// Europe, `https://cloud.langfuse.com`: the default.
    public static let eu = LangfuseRegion(name: "eu", url: "https://cloud.langfuse.com")
    /// The United States, `https://us.cloud.langfuse.com`.
    public static let us = LangfuseRegion(name: "us", url: "https://us.cloud.langfuse.com")
    /// The United States, for data under HIPAA, `https://hipaa.cloud.langfuse.com`.
    public static let hipaa = LangfuseRegion(name: "hipaa", url: "https://hipaa.cloud.langfuse.com")

    /// Every region Langfuse documents.
    public static let all: [LangfuseRegion] = [.eu, .us, .hipaa]

    /// The region's server, to give ``LangfuseConfiguration``.
    public var baseURL: HTTPEndpoint {
        do {
            return try HTTPEndpoint(url)
        } catch {
            preconditionFailure("a region's URL is a valid https URL: \(error)")  // the three above are; a test reads each
        }
    }

    public var description: String { "\(name) (\(url))" }
}
