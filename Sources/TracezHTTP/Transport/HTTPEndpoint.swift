import Foundation

/// A validated http(s) URL that exporters may send to.
///
/// Plain `http://` is accepted only for loopback hosts (`localhost`, `127.0.0.0/8`,
/// `::1`) unless `allowsInsecureHTTP` is set: a key sent in clear over a network is a
/// leaked key. Credentials in the URL (`user:pass@`) are never printed.
public struct HTTPEndpoint: Sendable, Hashable {
    public let url: URL

    /// - Throws: ``TransportError`` with the code ``TransportError/Code/invalidURL`` or ``TransportError/Code/insecureEndpoint``.
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

    /// `string` with whatever may hold a credential cut out, for error messages about a URL
    /// that may not even parse: the user information (everything between `://`, or the start,
    /// and the last `@`, so a password holding `@` or `/` goes too), and the query and fragment.
    package static func redacted(_ string: String) -> String {
        var rest = Substring(string)
        var kept = ""
        if let schemeEnd = rest.range(of: "://") {
            kept = String(rest[..<schemeEnd.upperBound])
            rest = rest[schemeEnd.upperBound...]
        }
        if let at = rest.lastIndex(of: "@") {
            kept += "…@"
            rest = rest[rest.index(after: at)...]
        }
        if let query = rest.firstIndex(where: { $0 == "?" || $0 == "#" }) {
            rest = rest[..<query] + "?…"
        }
        return String((kept + rest).prefix(200))
    }
}

extension HTTPEndpoint: CustomStringConvertible, CustomReflectable {
    /// Scheme, host, port and path: user information and the query (which may hold a token)
    /// show as `…`, as in `https://…@collector.example/v1/traces?…`.
    public var description: String {
        guard var components = URLComponents(url: url, resolvingAgainstBaseURL: false) else {
            return Self.redacted(url.absoluteString)
        }
        let hadUserInfo = components.percentEncodedUser != nil || components.percentEncodedPassword != nil
        let hadQuery = components.percentEncodedQuery != nil || components.percentEncodedFragment != nil
        components.percentEncodedUser = nil
        components.percentEncodedPassword = nil
        components.percentEncodedQuery = nil
        components.percentEncodedFragment = nil
        guard var text = components.string else { return Self.redacted(url.absoluteString) }
        if hadUserInfo, let schemeEnd = text.range(of: "://") {
            text.insert(contentsOf: "…@", at: schemeEnd.upperBound)
        }
        return hadQuery ? text + "?…" : text
    }

    /// The description only, so `dump` and debuggers show no credentials either.
    public var customMirror: Mirror {
        Mirror(self, children: ["url": description], displayStyle: .struct)
    }
}
