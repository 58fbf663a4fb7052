import Foundation
import Logging
import Metrics
import Tracez
import TracezHTTP

/// Langfuse's prompt management, client side: fetches prompts by name and version or
/// label, caches them as the official SDKs do, compiles them, and falls back to a prompt the
/// caller gives when Langfuse cannot be reached.
///
/// ```swift
/// let prompts = LangfusePrompts(configuration: configuration)
/// let prompt = try await prompts.chatPrompt(named: "support", fallback: [.system("You help with {{product}}.")])
/// let messages = prompt.compile(["product": "Tracez"]).messages
/// try await tracer.withGeneration("answer", model: "gpt-4o", prompt: prompt) { generation in … }
/// ```
///
/// The cache: a fetched prompt is fresh for the call's `cacheTTL` (default
/// ``PromptCacheConfiguration/defaultTTL``, 60 s) and returned without a request. A stale one
/// is returned at once and refreshed in the background, one refresh per prompt at a time
/// however many callers ask; a refresh that fails keeps the stale prompt. A `cacheTTL` of
/// `.zero` neither reads nor fills the cache. At most ``PromptCacheConfiguration/capacity``
/// prompts are kept, the least recently used going first.
///
/// Fetches are not traced (the transport makes no spans); their failures are logged once per
/// kind, and every fetch is counted in `tracez_langfuse_prompt_fetches_total` with a `result`
/// dimension (`success`, `http_error`, `unreachable`, `invalid_response`), cache hits in
/// `tracez_langfuse_prompt_cache_hits_total` (`state`: `fresh` or `stale`), fallbacks in
/// `tracez_langfuse_prompt_fallbacks_total`.
///
/// Thread-safety: safe to call from any task. Ownership: one made with
/// ``init(configuration:cache:transport:logger:)`` owns its transport and closes it in
/// ``shutdown()``; one made with ``init(exporter:cache:logger:)`` shares the exporter's, which
/// the exporter closes.
///
/// - Complexity: a fresh cache hit is one dictionary lookup under the cache's lock; it
///   allocates nothing (the prompt returned shares the cached storage) and never waits on I/O.
public final class LangfusePrompts: Sendable {
    public let configuration: LangfuseConfiguration
    public let cacheConfiguration: PromptCacheConfiguration
    private let transport: any HTTPTransport
    private let ownsTransport: Bool
    private let headers: [(name: String, value: String)]
    private let cache: PromptCache
    private let now: @Sendable () -> ContinuousClock.Instant
    private let logger: Logger
    private let metrics: PromptMetrics
    /// The kinds of failure logged already: each is logged once.
    private let loggedFailures = SanitizedMutex<Set<String>>([])
    /// The background refresh of each stale prompt, while it runs.
    private let refreshes = SanitizedMutex<[PromptCacheKey: Task<Void, Never>]>([:])

    /// Prompts from the server of `configuration`, over `transport` (by default a new
    /// AsyncHTTPClient transport with tracing off, which this object owns and closes).
    public convenience init(
        configuration: LangfuseConfiguration,
        cache: PromptCacheConfiguration = PromptCacheConfiguration(),
        transport: (any HTTPTransport)? = nil,
        logger: Logger = Logger(label: "tracez.langfuse.prompts")
    ) {
        self.init(configuration: configuration, cache: cache, transport: transport, logger: logger, clock: ContinuousClock())
    }

    /// Prompts from the exporter's server, over the exporter's transport (its connections,
    /// its 1 MiB cap on an answer). The exporter closes the transport: after its shutdown,
    /// fetches fail and cached prompts are still returned.
    public convenience init(
        exporter: LangfuseExporter,
        cache: PromptCacheConfiguration = PromptCacheConfiguration(),
        logger: Logger = Logger(label: "tracez.langfuse.prompts")
    ) {
        self.init(
            configuration: exporter.configuration, cache: cache, transport: exporter.transport, ownsTransport: false, logger: logger, clock: ContinuousClock())
    }

    /// The same, reading time from `clock`; tests pass a manual clock to make prompts stale
    /// without sleeping. A `metricsFactory` replaces the bootstrapped one.
    package convenience init<C: Clock>(
        configuration: LangfuseConfiguration,
        cache: PromptCacheConfiguration = PromptCacheConfiguration(),
        transport: (any HTTPTransport)? = nil,
        logger: Logger = Logger(label: "tracez.langfuse.prompts"),
        metricsFactory: (any MetricsFactory)? = nil,
        clock: C
    ) where C.Instant == ContinuousClock.Instant {
        var owned = AsyncHTTPClientTransport.Configuration()
        owned.maxResponseBytes = 8 << 20  // a prompt may be long; an export's answer is not
        self.init(
            configuration: configuration,
            cache: cache,
            transport: transport ?? AsyncHTTPClientTransport(configuration: owned),
            ownsTransport: transport == nil,
            logger: logger,
            metricsFactory: metricsFactory,
            clock: clock
        )
    }

    private init<C: Clock>(
        configuration: LangfuseConfiguration,
        cache: PromptCacheConfiguration,
        transport: any HTTPTransport,
        ownsTransport: Bool,
        logger: Logger,
        metricsFactory: (any MetricsFactory)? = nil,
        clock: C
    ) where C.Instant == ContinuousClock.Instant {
        self.configuration = configuration
        self.cacheConfiguration = cache
        self.transport = transport
        self.ownsTransport = ownsTransport
        self.cache = PromptCache(capacity: cache.capacity)
        self.now = { clock.now }
        self.logger = logger
        self.metrics = PromptMetrics(factory: metricsFactory)
        let credentials = Data("\(configuration.publicKey):\(configuration.secretKey)".utf8).base64EncodedString()
        headers = [
            (name: "Authorization", value: "Basic \(credentials)"),
            (name: "Accept", value: "application/json"),
            (name: "x-langfuse-sdk-name", value: "tracez"),
            (name: "x-langfuse-sdk-version", value: TracezVersion.current),
            (name: "x-langfuse-public-key", value: configuration.publicKey),
        ]
    }

    // MARK: Fetching

    /// The prompt `name`, text or chat: `version` if given, else `label`, else the label
    /// `production`; from the cache when there (see the type's doc), else from Langfuse.
    ///
    /// - Parameters:
    ///   - name: The prompt's name in Langfuse; path-escaped in the request.
    ///   - version: A version number; wins over `label`.
    ///   - label: A deployment label (`production`, `staging`, `latest`, …).
    ///   - cacheTTL: how long the fetched prompt stays fresh; `nil` for the configuration's
    ///     default, `.zero` to skip the cache.
    ///   - fallback: returned, marked ``ManagedPrompt/isFallback``, when the prompt is not
    ///     cached and cannot be fetched.
    /// - Throws: ``PromptError`` when the prompt is not cached, cannot be fetched, and no
    ///   fallback was given.
    public func prompt(
        named name: String,
        version: Int? = nil,
        label: String? = nil,
        cacheTTL: Duration? = nil,
        fallback: PromptFallback? = nil
    ) async throws(PromptError) -> LangfusePrompt {
        let key = PromptCacheKey(name: name, version: version, label: label)
        let ttl = cacheTTL ?? cacheConfiguration.defaultTTL
        if ttl > .zero {
            switch cache.lookup(key, now: now()) {
            case .fresh(let prompt):
                metrics.freshHits.increment()
                return prompt
            case .stale(let prompt):
                metrics.staleHits.increment()
                refreshInBackground(key, ttl: ttl)
                return prompt
            case .miss:
                break
            }
        }
        do {
            let prompt = try await fetch(key)
            if ttl > .zero { cache.store(prompt, for: key, until: now() + ttl) }
            return prompt
        } catch {
            guard let fallback else { throw error }
            metrics.fallbacks.increment()
            return fallback.prompt(named: name)
        }
    }

    /// The text prompt `name`, as ``prompt(named:version:label:cacheTTL:fallback:)`` finds it,
    /// or a fallback with the template `fallback`.
    ///
    /// - Throws: ``PromptError``, also with ``PromptError/Code/unexpectedType`` when `name` is
    ///   a chat prompt and no fallback was given.
    public func textPrompt(
        named name: String,
        version: Int? = nil,
        label: String? = nil,
        cacheTTL: Duration? = nil,
        fallback: String? = nil
    ) async throws(PromptError) -> TextPrompt {
        let prompt = try await self.prompt(named: name, version: version, label: label, cacheTTL: cacheTTL, fallback: fallback.map { .text($0) })
        if let text = prompt.textPrompt { return text }
        let error = loggedTypeMismatch(prompt, expected: "text", name: name, version: version, label: label)
        guard let fallback else { throw error }
        metrics.fallbacks.increment()
        return .fallback(named: name, template: fallback)
    }

    /// The chat prompt `name`, as ``prompt(named:version:label:cacheTTL:fallback:)`` finds it,
    /// or a fallback with the messages `fallback`.
    ///
    /// - Throws: ``PromptError``, also with ``PromptError/Code/unexpectedType`` when `name` is
    ///   a text prompt and no fallback was given.
    public func chatPrompt(
        named name: String,
        version: Int? = nil,
        label: String? = nil,
        cacheTTL: Duration? = nil,
        fallback: [PromptMessage]? = nil
    ) async throws(PromptError) -> ChatPrompt {
        let prompt = try await self.prompt(named: name, version: version, label: label, cacheTTL: cacheTTL, fallback: fallback.map { .chat($0) })
        if let chat = prompt.chatPrompt { return chat }
        let error = loggedTypeMismatch(prompt, expected: "chat", name: name, version: version, label: label)
        guard let fallback else { throw error }
        metrics.fallbacks.increment()
        return .fallback(named: name, messages: fallback)
    }

    /// The error for `prompt`, found under `name` but not of the `expected` type, logged once
    /// per kind: `textPrompt` and `chatPrompt` then fall back or throw it.
    private func loggedTypeMismatch(_ prompt: LangfusePrompt, expected: String, name: String, version: Int?, label: String?) -> PromptError {
        let error = PromptError.unexpectedType(
            expected: expected, received: prompt.typeName, promptName: name, selector: PromptCacheKey(name: name, version: version, label: label).selector)
        logOnce(error)
        return error
    }

    /// Fetches the label `label` (default `production`) of every prompt in `names` at once,
    /// into the cache: for start-up, so that a service can refuse to start without its prompts.
    ///
    /// - Throws: the ``PromptError`` of the first name, in order, that could not be fetched.
    public func prefetch(_ names: [String], label: String? = nil) async throws(PromptError) {
        let ttl = cacheConfiguration.defaultTTL
        let results = await withTaskGroup(of: (Int, PromptError?).self) { group in
            for (index, name) in names.enumerated() {
                group.addTask {
                    let key = PromptCacheKey(name: name, version: nil, label: label)
                    do throws(PromptError) {
                        let prompt = try await self.fetch(key)
                        if ttl > .zero { self.cache.store(prompt, for: key, until: self.now() + ttl) }
                        return (index, nil)
                    } catch {
                        return (index, error)
                    }
                }
            }
            var failures: [(Int, PromptError)] = []
            for await (index, error) in group {
                if let error { failures.append((index, error)) }
            }
            return failures
        }
        if let first = results.min(by: { $0.0 < $1.0 }) { throw first.1 }
    }

    /// Waits for the background refreshes running now. For tests, and for a clean shutdown.
    package func refreshesFinished() async {
        let running = refreshes.withLock { Array($0.values) }
        for task in running { await task.value }
    }

    /// How many prompts the cache holds.
    package var cachedCount: Int { cache.count }

    /// Waits for running refreshes, then closes the transport if this object owns it.
    /// Call once, when done; cached prompts are still returned afterwards.
    public func shutdown() async {
        await refreshesFinished()
        if ownsTransport { await transport.shutdown() }
    }

    // MARK: Internals

    private func refreshInBackground(_ key: PromptCacheKey, ttl: Duration) {
        refreshes.withLock { running in
            guard running[key] == nil else { return }
            // Registered under the same lock the task takes to remove itself, so it cannot
            // finish before it is registered.
            running[key] = Task {
                defer { _ = self.refreshes.withLock { $0.removeValue(forKey: key) } }
                // A failed refresh keeps the stale prompt: it was logged and counted in `fetch`.
                if let prompt = try? await self.fetch(key) {
                    self.cache.store(prompt, for: key, until: self.now() + ttl)
                }
            }
        }
    }

    /// `GET /api/public/v2/prompts/{name}`, counted and, on failure, logged.
    private func fetch(_ key: PromptCacheKey) async throws(PromptError) -> LangfusePrompt {
        do {
            let prompt = try await request(key)
            metrics.fetches("success")
            return prompt
        } catch {
            metrics.fetches(error.code.metricResult)
            logOnce(error)
            throw error
        }
    }

    private func request(_ key: PromptCacheKey) async throws(PromptError) -> LangfusePrompt {
        var path = "api/public/v2/prompts/" + Self.escaped(key.name)
        var query: [String] = []
        if let version = key.version { query.append("version=\(version)") }
        if let label = key.label { query.append("label=" + Self.escaped(label)) }
        if !query.isEmpty { path += "?" + query.joined(separator: "&") }
        let request = HTTPRequest(method: "GET", endpoint: configuration.baseURL.appending(path: path), headers: headers, timeout: configuration.timeout)
        let response: HTTPResponse
        do {
            response = try await transport.send(request)
        } catch {
            throw .unreachable(error, promptName: key.name, selector: key.selector)
        }
        guard (200..<300).contains(response.status) else {
            throw .httpStatus(response.status, serverMessage: serverMessage(in: response.body), promptName: key.name, selector: key.selector)
        }
        do {
            return try JSONDecoder().decode(PromptResponse.self, from: Data(response.body)).prompt
        } catch {
            throw .invalidResponse(Self.summary(of: error), promptName: key.name, selector: key.selector)
        }
    }

    /// Langfuse's `message` (or `error`) from an error body, else the body as text: at most
    /// 200 characters, and never a key, should a proxy echo one.
    private func serverMessage(in body: [UInt8]) -> String? {
        guard !body.isEmpty else { return nil }
        var text = String(decoding: body.prefix(4096), as: UTF8.self)
        if let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
            let message = object["message"] as? String ?? object["error"] as? String
        {
            text = message
        }
        if !configuration.secretKey.isEmpty {
            text = text.replacingOccurrences(of: configuration.secretKey, with: LangfuseConfiguration.maskedSecret(configuration.secretKey))
        }
        if !configuration.publicKey.isEmpty {
            text = text.replacingOccurrences(of: configuration.publicKey, with: LangfuseConfiguration.masked(configuration.publicKey))
        }
        let credentials = Data("\(configuration.publicKey):\(configuration.secretKey)".utf8).base64EncodedString()
        text = text.replacingOccurrences(of: credentials, with: "…")
        text = String(text.unicodeScalars.filter { !$0.properties.isDefaultIgnorableCodePoint && ($0.value >= 0x20 || $0 == " ") }.map(Character.init))
        return text.count > 200 ? String(text.prefix(200)) + "…" : text
    }

    /// A decoding failure in a few words: which field, never the body.
    private static func summary(of error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): "no '\(key.stringValue)' field"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            "'\(context.codingPath.map(\.stringValue).joined(separator: "."))' has the wrong type"
        case DecodingError.dataCorrupted(let context): context.debugDescription.prefix(200).description
        default: "not a prompt"
        }
    }

    /// Logs the first failure of each kind (code and status) at warning, the rest at debug.
    private func logOnce(_ error: PromptError) {
        let kind = "\(error.code) \(error.status ?? 0) \(error.transportError?.code.description ?? "")"
        let isFirst = loggedFailures.withLock { $0.insert(kind).inserted }
        let metadata: Logger.Metadata = ["langfuse.prompt.name": "\(error.promptName.prefix(200))", "error": "\(error)"]
        if isFirst {
            logger.warning("Langfuse prompt fetch failed (further failures of this kind are logged at debug)", metadata: metadata)
        } else {
            logger.debug("Langfuse prompt fetch failed", metadata: metadata)
        }
    }

    /// Percent-escapes everything but RFC 3986's unreserved characters: a name with spaces
    /// or slashes stays one path segment.
    static func escaped(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }

    private static let unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
}

extension LangfusePrompts: CustomStringConvertible, CustomReflectable {
    /// The configuration's description: the server, the masked keys.
    public var description: String { "LangfusePrompts(\(configuration))" }

    /// The configuration's own redacted mirror and the cache's settings, so `dump` and
    /// debuggers show neither the keys nor the `Authorization` header made of them.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: ["configuration": configuration, "cacheConfiguration": cacheConfiguration, "cachedCount": cache.count],
            displayStyle: .class
        )
    }
}
