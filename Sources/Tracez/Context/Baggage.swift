import Tracing

/// The W3C `baggage` header: application-defined key/value pairs that travel with a request
/// to every downstream service, whether or not it is traced.
///
/// Baggage lives in `ServiceContext` (as `ServiceContext.baggage`), so it follows
/// `async`/`await`, `async let` and task groups like the span context does. Set entries for
/// a unit of work with ``withBaggage(_:isolation:_:)``; ``Tracer`` reads the header in
/// `extract` and writes it in `inject`.
///
/// ```swift
/// var baggage = Baggage(header: "userId=alice,serverNode=DF%2028")
/// baggage["serverNode"]            // "DF 28"
/// baggage["isProduction"] = "false"
/// baggage.headerValue              // "userId=alice,serverNode=DF%2028,isProduction=false"
/// ```
///
/// - Important: Baggage is sent to every downstream service, including ones you do not
///   run, and arrives from callers you do not control: never put a secret in it, and treat
///   what you read from it as untrusted input.
///
/// Parsing is lenient, as the W3C recommends: a malformed entry is skipped and counted in
/// ``droppedEntryCount``, never fatal. At most ``maximumEntries`` entries and
/// ``maximumHeaderBytes`` bytes are kept, cut at an entry boundary.
///
/// - Complexity: parsing and ``headerValue`` are O(n) in the header's bytes (up to
///   ``maximumHeaderBytes``; the bytes beyond it are only scanned for commas); looking up or
///   setting a key is O(number of entries).
public struct Baggage: Sendable, Hashable {
    /// One list-member: a key, its decoded value and its properties.
    public struct Entry: Sendable, Hashable {
        /// An RFC 7230 token; an entry whose key is not one is left out of ``Baggage/headerValue``.
        public var key: String
        /// The value, percent-decoded; any string, encoded again when written.
        public var value: String
        /// The properties as their text (`"p=1"` or `"flag"`), without whitespace around the
        /// key, `=` and value. Their meaning is opaque to the W3C specification: they are kept
        /// and written back unchanged, not percent-decoded.
        public var properties: [String]

        public init(key: String, value: String, properties: [String] = []) {
            self.key = key
            self.value = value
            self.properties = properties
        }
    }

    /// The entries in header order, with unique keys.
    public private(set) var entries: [Entry]

    /// Entries ``init(header:)`` left out: what ``Tracer`` counts in its metric on `extract`,
    /// without formatting the header again to count what writing it would leave out.
    private(set) var droppedWhileParsing: Int

    /// The most entries parsed or written; the rest are dropped.
    public static let maximumEntries = 180

    /// The longest header parsed or written, in bytes; entries past it are dropped.
    public static let maximumHeaderBytes = 8192

    public init() {
        entries = []
        droppedWhileParsing = 0
    }

    /// Parses a `baggage` header. Malformed entries are skipped; the rest are kept.
    ///
    /// Several `baggage` headers of one request may be joined with `,` into one string first.
    ///
    /// - Entries are separated by `,`; spaces and tabs around keys, `=`, values, `;` and
    ///   properties are ignored. Empty entries (`a=1,,b=2`) are ignored, not counted.
    /// - A key must be an RFC 7230 token; a value is made of baggage-octets and is
    ///   percent-decoded as UTF-8 (`+` stays `+`). An entry with an invalid key, value, property
    ///   or percent sequence (`%4`, `%zz`) is dropped and counted. Decoded bytes that are not
    ///   UTF-8 become U+FFFD, as the W3C specification requires.
    /// - A key seen again replaces the earlier value and properties, in the earlier place.
    /// - Once ``maximumEntries`` entries are kept, or at the first entry that ends past
    ///   ``maximumHeaderBytes``, parsing stops: that entry and every one after it are counted.
    ///
    /// Works on UTF-8 bytes, not `Character`s: the grammar is ASCII, and a combining mark
    /// after a `,` must not glue two entries together.
    public init(header: String) {
        var header = header
        (entries, droppedWhileParsing) = header.withUTF8 { Self.parse($0) }
    }

    public var isEmpty: Bool { entries.isEmpty }

    /// How many entries were dropped while parsing (malformed, past a limit) plus how many
    /// ``headerValue`` leaves out (a key that is not a token, an invalid property, past a
    /// limit). Not part of `==` or the hash.
    ///
    /// - Complexity: O(n): it formats the header to count what it leaves out.
    public var droppedEntryCount: Int { droppedWhileParsing + formatted().dropped }

    /// The value for `key`, if present. Setting a value replaces the value of an existing
    /// entry in its place and clears its properties, or appends an entry; setting `nil`
    /// removes the entry.
    public subscript(key: String) -> String? {
        get { entries.first(where: { $0.key == key })?.value }
        set {
            if let newValue {
                setValue(newValue, forKey: key)
            } else {
                entries.removeAll(where: { $0.key == key })
            }
        }
    }

    /// Sets the value and properties of `key`: in place if present, else appended.
    ///
    /// Nothing is checked here: an entry that cannot be written (a key that is not a token,
    /// an invalid property) is left out of ``headerValue`` and counted in ``droppedEntryCount``.
    public mutating func setValue(_ value: String, forKey key: String, properties: [String] = []) {
        let entry = Entry(key: key, value: value, properties: properties)
        if let index = entries.firstIndex(where: { $0.key == key }) {
            entries[index] = entry
        } else {
            entries.append(entry)
        }
    }

    /// The header value: `key=value;property,…`, each value percent-encoded.
    ///
    /// Every byte of a value's UTF-8 that is not a baggage-octet is written as `%XX`, and so
    /// is `%` itself. Entries that cannot be written are left out; writing stops at an entry
    /// boundary before ``maximumEntries`` entries or ``maximumHeaderBytes`` bytes would be
    /// exceeded. ``droppedEntryCount`` counts what was left out.
    public var headerValue: String { formatted().header }

    public static func == (lhs: Baggage, rhs: Baggage) -> Bool {
        lhs.entries == rhs.entries
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(entries)
    }
}

// MARK: - Parsing

extension Baggage {
    // baggage-string = list-member 0*179( OWS "," OWS list-member )        (W3C Baggage, 3.3.1)
    // list-member    = key OWS "=" OWS value *( OWS ";" OWS property )
    // property       = key OWS "=" OWS value
    // property       =/ key OWS
    // key            = token                                    ; RFC 7230, 3.2.6
    // value          = *baggage-octet
    // baggage-octet  = %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E
    // OWS            = *( SP / HTAB )
    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> (entries: [Entry], dropped: Int) {
        var entries: [Entry] = []
        var dropped = 0
        var memberStart = 0
        while memberStart <= bytes.count {
            let memberEnd = bytes[memberStart...].firstIndex(of: UInt8(ascii: ",")) ?? bytes.count
            let member = trimmingOptionalWhitespace(bytes, memberStart..<memberEnd)
            memberStart = memberEnd + 1
            if member.isEmpty { continue }
            if member.upperBound > maximumHeaderBytes || entries.count == maximumEntries {
                dropped += 1 + countMembers(bytes, from: memberStart)
                break
            }
            guard let entry = parseMember(bytes, member) else {
                dropped += 1
                continue
            }
            if let index = entries.firstIndex(where: { $0.key == entry.key }) {
                entries[index] = entry
            } else {
                entries.append(entry)
            }
        }
        return (entries, dropped)
    }

    /// One list-member, already trimmed; nil if malformed.
    private static func parseMember(_ bytes: UnsafeBufferPointer<UInt8>, _ member: Range<Int>) -> Entry? {
        let pairEnd = bytes[member].firstIndex(of: UInt8(ascii: ";")) ?? member.upperBound
        // The first `=` separates key and value: a value may contain more.
        guard let equals = bytes[member.lowerBound..<pairEnd].firstIndex(of: UInt8(ascii: "=")) else { return nil }
        let key = trimmingOptionalWhitespace(bytes, member.lowerBound..<equals)
        let value = trimmingOptionalWhitespace(bytes, (equals + 1)..<pairEnd)
        guard isToken(bytes[key]), bytes[value].allSatisfy(isBaggageOctet),
            let decoded = percentDecoded(bytes[value])
        else { return nil }
        var properties: [String] = []
        var propertyStart = pairEnd + 1
        while propertyStart <= member.upperBound {
            let propertyEnd = bytes[propertyStart..<member.upperBound].firstIndex(of: UInt8(ascii: ";")) ?? member.upperBound
            let range = propertyStart..<propertyEnd
            propertyStart = propertyEnd + 1
            switch property(bytes[range]) {
            case .empty: continue
            case .invalid: return nil
            case .valid(let text): properties.append(text)
            }
        }
        return Entry(key: String(decoding: bytes[key], as: UTF8.self), value: decoded, properties: properties)
    }

    private enum Property {
        case empty
        case invalid
        case valid(String)
    }

    /// A property (`key` or `key=value`) without its optional whitespace.
    private static func property(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> Property {
        let base = bytes.base
        let trimmed = trimmingOptionalWhitespace(base, bytes.startIndex..<bytes.endIndex)
        if trimmed.isEmpty { return .empty }
        guard let equals = base[trimmed].firstIndex(of: UInt8(ascii: "=")) else {
            return isToken(base[trimmed]) ? .valid(String(decoding: base[trimmed], as: UTF8.self)) : .invalid
        }
        let key = trimmingOptionalWhitespace(base, trimmed.lowerBound..<equals)
        let value = trimmingOptionalWhitespace(base, (equals + 1)..<trimmed.upperBound)
        guard isToken(base[key]), base[value].allSatisfy(isBaggageOctet) else { return .invalid }
        return .valid(String(decoding: base[key], as: UTF8.self) + "=" + String(decoding: base[value], as: UTF8.self))
    }

    /// The UTF-8 string the bytes percent-encode; nil if a `%` is not followed by two hex digits.
    private static func percentDecoded(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> String? {
        guard bytes.contains(UInt8(ascii: "%")) else { return String(decoding: bytes, as: UTF8.self) }
        var decoded: [UInt8] = []
        decoded.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            guard bytes[index] == UInt8(ascii: "%") else {
                decoded.append(bytes[index])
                index += 1
                continue
            }
            guard index + 2 < bytes.endIndex, let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2])
            else { return nil }
            decoded.append(high << 4 | low)
            index += 3
        }
        // Not UTF-8: each invalid sequence becomes U+FFFD (W3C Baggage, 3.3.1.3 value).
        return String(decoding: decoded, as: UTF8.self)
    }

    /// The non-empty entries from `start` to the end: those dropped when parsing stops early.
    private static func countMembers(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        guard start < bytes.count else { return 0 }
        var count = 0
        var isInMember = false
        for byte in bytes[start...] {
            if byte == UInt8(ascii: ",") {
                isInMember = false
            } else if !isInMember, !isOptionalWhitespace(byte) {
                isInMember = true
                count += 1
            }
        }
        return count
    }
}

// MARK: - Formatting

extension Baggage {
    private func formatted() -> (header: String, dropped: Int) {
        var header: [UInt8] = []
        var written = 0
        var dropped = 0
        for (index, entry) in entries.enumerated() {
            guard written < Self.maximumEntries else {
                dropped += entries.count - index
                break
            }
            let separator = header.isEmpty ? 0 : 1
            switch Self.member(entry, room: Self.maximumHeaderBytes - header.count - separator) {
            case .invalid:
                dropped += 1
            case .tooLong:
                // Stop at an entry boundary: the entries after it are dropped too.
                return (String(decoding: header, as: UTF8.self), dropped + entries.count - index)
            case .bytes(let member):
                if separator == 1 { header.append(UInt8(ascii: ",")) }
                header.append(contentsOf: member)
                written += 1
            }
        }
        return (String(decoding: header, as: UTF8.self), dropped)
    }

    private enum Member {
        /// The key is not a token, or a property is invalid.
        case invalid
        /// Longer than the room left.
        case tooLong
        case bytes([UInt8])
    }

    /// `key=value;property…` as bytes, if valid and at most `room` bytes long.
    private static func member(_ entry: Entry, room: Int) -> Member {
        var key = entry.key
        guard key.withUTF8({ isToken($0[...]) }) else { return .invalid }
        var properties: [String] = []
        for text in entry.properties {
            var text = text
            switch text.withUTF8({ property($0[...]) }) {
            case .empty: continue
            case .invalid: return .invalid
            case .valid(let normalized): properties.append(normalized)
            }
        }
        // Encoding never shortens a value: a member too long unencoded is not encoded at all.
        let unencodedCount = key.utf8.count + 1 + entry.value.utf8.count + properties.reduce(0) { $0 + 1 + $1.utf8.count }
        guard unencodedCount <= room else { return .tooLong }
        var member: [UInt8] = []
        member.reserveCapacity(unencodedCount)
        member.append(contentsOf: key.utf8)
        member.append(UInt8(ascii: "="))
        for byte in entry.value.utf8 {
            if isBaggageOctet(byte), byte != UInt8(ascii: "%") {
                member.append(byte)
            } else {
                member.append(UInt8(ascii: "%"))
                member.append(hexDigits[Int(byte >> 4)])
                member.append(hexDigits[Int(byte & 0x0F)])
            }
        }
        for property in properties {
            member.append(UInt8(ascii: ";"))
            member.append(contentsOf: property.utf8)
        }
        return member.count <= room ? .bytes(member) : .tooLong
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)
}

// MARK: - Characters

extension Baggage {
    private static func isOptionalWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
    }

    // baggage-octet = %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E
    private static func isBaggageOctet(_ byte: UInt8) -> Bool {
        byte == 0x21 || (0x23...0x2B).contains(byte) || (0x2D...0x3A).contains(byte) || (0x3C...0x5B).contains(byte)
            || (0x5D...0x7E).contains(byte)
    }

    // token = 1*tchar
    // tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
    private static func isToken(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
        !bytes.isEmpty && bytes.allSatisfy(isTokenCharacter)
    }

    private static func isTokenCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"):
            return true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "'"),
            UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"),
            UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// `range` without leading and trailing spaces and tabs (the W3C `OWS`).
    private static func trimmingOptionalWhitespace(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Range<Int> {
        var lower = range.lowerBound
        var upper = range.upperBound
        while lower < upper, isOptionalWhitespace(bytes[lower]) { lower += 1 }
        while upper > lower, isOptionalWhitespace(bytes[upper - 1]) { upper -= 1 }
        return lower..<upper
    }
}

// MARK: - ServiceContext

private enum BaggageContextKey: ServiceContextKey {
    typealias Value = Baggage
    static var nameOverride: String? { "tracez.baggage" }
}

extension ServiceContext {
    /// The baggage of this context, if any: ``Tracer`` writes it as the `baggage` header in
    /// `inject` and reads it in `extract`; ``withBaggage(_:isolation:_:)`` sets entries for a
    /// unit of work.
    public var baggage: Baggage? {
        get { self[BaggageContextKey.self] }
        set { self[BaggageContextKey.self] = newValue }
    }
}

extension Baggage {
    /// The baggage of the task's `ServiceContext.current`, or an empty one.
    public static var current: Baggage { ServiceContext.current?.baggage ?? Baggage() }
}
