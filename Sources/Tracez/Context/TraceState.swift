/// The W3C `tracestate` header: vendor-specific key/value pairs that travel with a trace.
///
/// Tracez carries it unchanged from parent to child and into exports. Parsing
/// is lenient in the way the W3C recommends: malformed members are skipped,
/// and at most 32 members are kept.
public struct TraceState: Hashable, Sendable {
    /// The members in header order, leftmost (most recently updated) first.
    public private(set) var entries: [(key: String, value: String)]

    /// The W3C limit on members.
    public static let maximumEntries = 32

    public init() { entries = [] }

    /// Parses a `tracestate` header. Invalid members are dropped; the rest are kept.
    ///
    /// Works on UTF-8 bytes, not `Character`s: the grammar is ASCII, and a
    /// combining mark after a `,` must not glue two members together.
    public init(header: String) {
        var entries: [(key: String, value: String)] = []
        for member in header.utf8.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: true) {
            let trimmed = member.trimmingOptionalWhitespace()
            guard let equals = trimmed.firstIndex(of: UInt8(ascii: "=")) else { continue }
            let key = trimmed[trimmed.startIndex..<equals]
            let value = trimmed[trimmed.index(after: equals)...]
            guard Self.isValidKey(key), Self.isValidValue(value) else { continue }
            let entry = (key: String(decoding: key, as: UTF8.self), value: String(decoding: value, as: UTF8.self))
            guard !entries.contains(where: { $0.key == entry.key }) else { continue }
            entries.append(entry)
            if entries.count == Self.maximumEntries { break }
        }
        self.entries = entries
    }

    public var isEmpty: Bool { entries.isEmpty }

    /// The value for `key`, if present.
    public subscript(key: String) -> String? {
        entries.first(where: { $0.key == key })?.value
    }

    /// The header value: members joined with `,`.
    public var headerValue: String {
        entries.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
    }

    public static func == (lhs: TraceState, rhs: TraceState) -> Bool {
        lhs.entries.elementsEqual(rhs.entries, by: { $0.key == $1.key && $0.value == $1.value })
    }

    public func hash(into hasher: inout Hasher) {
        for entry in entries {
            hasher.combine(entry.key)
            hasher.combine(entry.value)
        }
    }

    // key              = simple-key / multi-tenant-key          (W3C Trace Context, 3.3.1.3.1)
    // simple-key       = lcalpha 0*255( lcalpha / DIGIT / "_" / "-" / "*" / "/" )
    // multi-tenant-key = tenant-id "@" system-id
    // tenant-id        = ( lcalpha / DIGIT ) 0*240( lcalpha / DIGIT / "_" / "-" / "*" / "/" )
    // system-id        = lcalpha 0*13( lcalpha / DIGIT / "_" / "-" / "*" / "/" )
    static func isValidKey(_ key: Substring.UTF8View) -> Bool {
        func isLowerAlpha(_ byte: UInt8) -> Bool { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) }
        func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
        func isKeyChar(_ byte: UInt8) -> Bool {
            isLowerAlpha(byte) || isDigit(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
                || byte == UInt8(ascii: "*") || byte == UInt8(ascii: "/")
        }
        let bytes = Array(key)
        if let at = bytes.firstIndex(of: UInt8(ascii: "@")) {
            let tenant = bytes[..<at]
            let system = bytes[(at + 1)...]
            guard let tenantFirst = tenant.first, tenant.count <= 241,
                isLowerAlpha(tenantFirst) || isDigit(tenantFirst), tenant.allSatisfy(isKeyChar)
            else { return false }
            guard let systemFirst = system.first, system.count <= 14,
                isLowerAlpha(systemFirst), system.allSatisfy(isKeyChar)
            else { return false }
            return true
        }
        guard let first = bytes.first, bytes.count <= 256, isLowerAlpha(first) else { return false }
        return bytes.allSatisfy(isKeyChar)
    }

    // value    = 0*255(chr) nblk-chr
    // chr      = %x20 / nblk-chr
    // nblk-chr = %x21-2B / %x2D-3C / %x3E-7E
    static func isValidValue(_ value: Substring.UTF8View) -> Bool {
        guard !value.isEmpty, value.count <= 256, value.last != 0x20 else { return false }
        return value.allSatisfy { byte in
            byte >= 0x20 && byte <= 0x7E && byte != UInt8(ascii: ",") && byte != UInt8(ascii: "=")
        }
    }
}

extension Substring.UTF8View {
    /// Without leading and trailing spaces and tabs (the W3C `OWS`).
    func trimmingOptionalWhitespace() -> Substring.UTF8View {
        func isWhitespace(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        guard let start = firstIndex(where: { !isWhitespace($0) }),
            let last = lastIndex(where: { !isWhitespace($0) })
        else { return self[endIndex...] }
        return self[start...last]
    }
}
