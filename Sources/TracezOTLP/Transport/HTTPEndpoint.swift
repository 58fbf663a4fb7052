import Foundation

/// A validated http(s) URL that exporters may send to.
///
/// Plain `http://` is accepted only for loopback hosts (`localhost`, `127.0.0.0/8`,
/// `::1`) unless `allowsInsecureHTTP` is set: a key sent in clear over a network is a
/// leaked key. Credentials in the URL (`user:pass@`) are never printed.
public struct HTTPEndpoint: Sendable, Hashable {
    public let url: URL

    /// - Throws: ``TransportError/invalidURL(_:)`` or ``TransportError/insecureEndpoint(host:)``.
    public init(_ string: String, allowsInsecureHTTP: Bool = false) throws(TransportError) {
        guard let url = URL(string: string.trimmingCharacters(in: .whitespaces)),
            let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = url.host, !host.isEmpty
        else { throw .invalidURL(Self.redacted(string)) }
        if scheme == "http", !allowsInsecureHTTP, !Self.isLoopback(host) {
            throw .insecureEndpoint(host: host)
        }
        self.url = url
    }

    /// This endpoint with `path` appended (one `/` between them).
    public func appending(path: String) -> HTTPEndpoint {
        var base = url.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        let suffix = path.hasPrefix("/") ? path : "/" + path
        // Appending a path to a valid http(s) URL keeps it valid.
        return HTTPEndpoint(validated: URL(string: base + suffix) ?? url)
    }

    private init(validated url: URL) { self.url = url }

    public var host: String { url.host ?? "" }
    public var isSecure: Bool { url.scheme?.lowercased() == "https" }

    static func isLoopback(_ host: String) -> Bool {
        let host = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if host == "localhost" || host.hasSuffix(".localhost") || host == "::1" { return true }
        let octets = host.split(separator: ".")
        return octets.count == 4 && octets.first == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

    /// The URL without credentials, for error messages.
    static func redacted(_ string: String) -> String {
        guard let at = string.firstIndex(of: "@"), let schemeEnd = string.range(of: "://")?.upperBound, schemeEnd < at else {
            return String(string.prefix(200))
        }
        return String((string[..<schemeEnd] + "…@" + string[string.index(after: at)...]).prefix(200))
    }
}

extension HTTPEndpoint: CustomStringConvertible {
    public var description: String { Self.redacted(url.absoluteString) }
}
