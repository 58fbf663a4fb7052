import Tracez
import TracezHTTP
import TracezOTLP

/// Where and how a ``LangfuseExporter`` sends: keys, server, which API, and how values
/// are shaped. A plain value; build it in code, or read it from the `LANGFUSE_*` variables with ``LangfuseSettings/init(environment:api:)``.
///
/// Its `description` masks the keys (`pk-lf-…1234`); no error of this module repeats a secret key.
public struct LangfuseConfiguration: Sendable {
    /// Which of Langfuse's two ways in to use.
    public enum API: String, Sendable, CaseIterable {
        /// OTLP protobuf + gzip to `/api/public/otel/v1/traces`: Langfuse Cloud and
        /// self-hosted v4 (the only way in there since 2026-11-16). The default.
        case otel
        /// JSON batches to `/api/public/ingestion`: self-hosted Langfuse v2 and v3.
        case ingestion
    }

    public var publicKey: String
    public var secretKey: String
    /// The server: a region's (``LangfuseRegion/baseURL``) or a self-hosted one, such as `http://127.0.0.1:3000`.
    public var baseURL: HTTPEndpoint
    public var api: API
    /// Set on every observation as `langfuse.environment` (lowercase `[a-z0-9-_]`, ≤ 40).
    public var environment: String?
    /// Set on every observation as `langfuse.release`.
    public var release: String?
    /// Longest one request may take.
    public var timeout: Duration
    /// On the ingestion API, send `agent-create`, `tool-create`, … for the newer observation
    /// types; older servers reject them, so by default they go as `span-create` with the
    /// type in metadata.
    public var sendsNewObservationTypes: Bool
    /// Applied to every input, output and metadata value before it is put on a span, by the
    /// ``Observation``s of tracers that export through a ``LangfuseExporter`` made with this
    /// configuration.
    ///
    /// Only there: a tracer whose exporters include no ``LangfuseExporter`` (an
    /// `OTLPHTTPExporter` pointed at Langfuse's OTel endpoint, an
    /// `InMemoryExporter`) applies no mask. A tracer with several Langfuse exporters
    /// applies every one's mask, in pipeline order, and the smallest caps.
    ///
    /// Called from whichever task sets the value, so it must be safe to call from any task.
    public var mask: (@Sendable (JSONValue) -> JSONValue)?
    /// Values longer than this (JSON bytes) are replaced by a truncation marker and counted
    /// (``LangfuseExporter/valueStatistics``); at least 256, default ``defaultMaxValueBytes``.
    public var maxValueBytes: Int
    /// Values whose objects and arrays nest deeper than this are replaced by a truncation
    /// marker and counted, instead of being followed (default 128).
    public var maxValueDepth: Int

    /// The server when none is given: ``LangfuseRegion/eu``.
    public static let defaultBaseURL = LangfuseRegion.eu.url

    /// The default ``maxValueBytes``, 1,000,000 bytes: the most the official Python SDK puts
    /// in one ingestion event, so a long prompt arrives whole (the SDKs have no cap of their own).
    ///
    /// A value is never longer than its tracer's `SpanLimits.maxAttributeValueBytes` either
    /// (128 KiB by default): over that, it becomes a truncation marker, so the tracer never
    /// cuts a JSON value in the middle. ``LangfuseSettings/applied(to:)`` raises the tracer's
    /// cap to this one.
    public static let defaultMaxValueBytes = 1_000_000

    /// - Throws: ``LangfuseConfigurationError`` for a key without its prefix or an
    ///   environment name Langfuse would rewrite.
    public init(
        publicKey: String,
        secretKey: String,
        baseURL: HTTPEndpoint,
        api: API = .otel,
        environment: String? = nil,
        release: String? = nil,
        timeout: Duration = .seconds(10),
        sendsNewObservationTypes: Bool = false,
        mask: (@Sendable (JSONValue) -> JSONValue)? = nil,
        maxValueBytes: Int = defaultMaxValueBytes,
        maxValueDepth: Int = JSONValue.defaultMaxDepth
    ) throws(LangfuseConfigurationError) {
        self.publicKey = publicKey
        self.secretKey = secretKey
        self.baseURL = baseURL
        self.api = api
        self.environment = environment
        self.release = release
        self.timeout = timeout
        self.sendsNewObservationTypes = sendsNewObservationTypes
        self.mask = mask
        self.maxValueBytes = maxValueBytes
        self.maxValueDepth = maxValueDepth
        try validate()
    }

    /// Checks the keys' prefixes and the environment name.
    public func validate() throws(LangfuseConfigurationError) {
        guard publicKey.hasPrefix("pk-"), publicKey.count > 3 else {
            // Never any of the value: a public key that is not one may be the secret pasted in the wrong place.
            let reason =
                publicKey.isEmpty
                ? "it is empty" : publicKey.hasPrefix("sk-") ? "it starts with sk-: the secret key was given as the public key" : "it must start with pk-"
            throw .invalidPublicKey(reason: reason)
        }
        guard secretKey.hasPrefix("sk-"), secretKey.count > 3 else {
            // Never the secret itself: only whether it is empty, and the start if it looks like a public key.
            let reason =
                secretKey.isEmpty
                ? "it is empty" : secretKey.hasPrefix("pk-") ? "it starts with pk-: the public key was given as the secret key" : "it must start with sk-"
            throw .invalidSecretKey(reason: reason)
        }
        if let environment, !LangfuseEnvironment.isValid(environment) {
            throw .invalidEnvironment(environment)
        }
        guard maxValueBytes >= 256 else { throw .invalidValue(field: "maxValueBytes", reason: "must be at least 256, got \(maxValueBytes)") }
        guard maxValueDepth >= 1 else { throw .invalidValue(field: "maxValueDepth", reason: "must be at least 1, got \(maxValueDepth)") }
    }

    /// `pk-lf-…1234`: enough to tell keys apart, never enough to use one. For a public key;
    /// the secret key is shown by ``maskedSecret(_:)``.
    package static func masked(_ key: String) -> String {
        guard key.count > 10 else { return key.isEmpty ? "" : "\(key.prefix(3))…" }
        let prefix = key.hasPrefix("pk-lf-") || key.hasPrefix("sk-lf-") ? key.prefix(6) : key.prefix(3)
        return "\(prefix)…\(key.suffix(4))"
    }

    /// `sk-lf-…`: the documented prefix only, none of the secret itself (the public key's
    /// last characters already tell a pair of keys apart).
    package static func maskedSecret(_ key: String) -> String {
        if key.isEmpty { return "" }
        for prefix in ["sk-lf-", "sk-"] where key.hasPrefix(prefix) && key.count > prefix.count { return prefix + "…" }
        return "…"
    }

    /// The endpoint for the chosen API.
    var endpoint: HTTPEndpoint {
        switch api {
        case .otel: baseURL.appending(path: "api/public/otel/v1/traces")
        case .ingestion: baseURL.appending(path: "api/public/ingestion")
        }
    }
}

extension LangfuseConfiguration: CustomStringConvertible, CustomReflectable {
    /// The server without credentials, the public key masked, the secret key as its prefix only.
    public var description: String {
        "LangfuseConfiguration(\(baseURL), api: \(api.rawValue), publicKey: \(Self.masked(publicKey)), "
            + "secretKey: \(Self.maskedSecret(secretKey)), environment: \(environment ?? "none"))"
    }

    /// Masked as in `description`, so `dump` and debuggers never show a key either.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "publicKey": Self.masked(publicKey),
                "secretKey": Self.maskedSecret(secretKey),
                "baseURL": baseURL.description,
                "api": api,
                "environment": environment as Any,
                "release": release as Any,
                "timeout": timeout,
                "sendsNewObservationTypes": sendsNewObservationTypes,
                "maxValueBytes": maxValueBytes,
                "maxValueDepth": maxValueDepth,
            ],
            displayStyle: .struct
        )
    }
}
