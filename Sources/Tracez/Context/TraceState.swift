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
    public init(header: String) {
        var entries: [(key: String, value: String)] = []
        for member in header.split(separator: ",", omittingEmptySubsequences: true) {
            let trimmed = member.trimmingSpacesAndTabs()
            guard !trimmed.isEmpty else { continue }
            guard let equals = trimmed.firstIndex(of: "=") else { continue }
            let key = String(trimmed[..<equals])
            let value = String(trimmed[trimmed.index(after: equals)...])
            guard Self.isValidKey(key), Self.isValidValue(value) else { continue }
            guard !entries.contains(where: { $0.key == key }) else { continue }
            entries.append((key, value))
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

    // key = simple-key / multi-tenant-key (W3C Trace Context, section 3.3.1.3.1)
    static func isValidKey(_ key: String) -> Bool {
        let bytes = Array(key.utf8)
        guard !bytes.isEmpty, bytes.count <= 256 else { return false }
        func isKeyChar(_ byte: UInt8) -> Bool {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "*"), UInt8(ascii: "/"), UInt8(ascii: "@"):
                return true
            default:
                return false
            }
        }
        guard bytes.allSatisfy(isKeyChar) else { return false }
        let first = bytes[0]
        let startsWell =
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first)
        guard startsWell else { return false }
        let ats = bytes.filter { $0 == UInt8(ascii: "@") }.count
        return ats <= 1
    }

    // value = 0*255(chr) nblk-chr, chr = %x20 / nblk-chr, nblk-chr = %x21-2B / %x2D-3C / %x3E-7E
    static func isValidValue(_ value: String) -> Bool {
        let bytes = Array(value.utf8)
        guard !bytes.isEmpty, bytes.count <= 256 else { return false }
        for byte in bytes {
            guard byte >= 0x20, byte <= 0x7E, byte != UInt8(ascii: ","), byte != UInt8(ascii: "=") else {
                return false
            }
        }
        return bytes.last != 0x20
    }
}

extension Substring {
    func trimmingSpacesAndTabs() -> Substring {
        var result = self[...]
        while let first = result.first, first == " " || first == "\t" { result = result.dropFirst() }
        while let last = result.last, last == " " || last == "\t" { result = result.dropLast() }
        return result
    }
}
