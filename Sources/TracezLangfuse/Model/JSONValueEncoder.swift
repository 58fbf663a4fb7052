import Foundation

/// Turns any `Encodable` into a ``JSONValue`` without Foundation's `JSONEncoder`, and
/// refuses a value nested deeper than ``maxDepth`` instead of following it.
///
/// Why not `JSONEncoder`: input, output and metadata are chosen by users and LLMs, and
/// `JSONEncoder` follows a value as deep as it goes, so a value nested a few thousand
/// levels overflowed the stack and took the process down. Here every container knows its
/// depth, and the first one past the limit throws ``TooDeep``; the stack then holds at
/// most ``maxDepth`` levels of the value's own `encode(to:)`.
///
/// What it writes, where `JSONEncoder` would differ:
/// - `Date` as ISO-8601 with milliseconds and `Z` (`2026-11-28T10:15:30.123Z`), as the
///   Langfuse SDKs write dates, rather than seconds since 2001;
/// - NaN and infinities as the strings `"NaN"`, `"Infinity"` and `"-Infinity"`;
/// - `Data` as base64 and `URL` as its absolute string, as `JSONEncoder` does.
///
/// Thread-safety: a value; each call of ``encode(_:)`` has its own state.
struct JSONValueEncoder {
    /// The value, or one of its parts, is nested deeper than the limit.
    struct TooDeep: Error {
        let maxDepth: Int
    }

    /// Containers (objects and arrays) inside one another, at most.
    var maxDepth: Int

    func encode(_ value: some Encodable) throws -> JSONValue {
        let context = Context(maxDepth: maxDepth)
        let root = Node()
        try Self.encode(value, into: root, depth: 0, context: context)
        if context.isTooDeep { throw TooDeep(maxDepth: maxDepth) }
        return root.value
    }

    /// Encodes `value` into `node`; `depth` is the number of containers around it.
    fileprivate static func encode(_ value: some Encodable, into node: Node, depth: Int, context: Context) throws {
        // Calls nested through single-value containers add no depth, so they are bounded apart.
        context.calls += 1
        defer { context.calls -= 1 }
        if context.calls > context.maxCalls { context.isTooDeep = true }
        if context.isTooDeep { throw TooDeep(maxDepth: context.maxDepth) }
        switch value {
        case let json as JSONValue:
            // Already a value: measured without following it (it may be deep).
            guard !json.isNested(deeperThan: context.maxDepth - depth) else {
                context.isTooDeep = true
                throw TooDeep(maxDepth: context.maxDepth)
            }
            node.set(json)
        case let date as Date:
            node.set(.string(LangfuseTime.iso8601(date)))
        case let data as Data:
            node.set(.string(data.base64EncodedString()))
        case let url as URL:
            node.set(.string(url.absoluteString))
        case let decimal as Decimal:
            node.set(.number(NSDecimalNumber(decimal: decimal).doubleValue))
        default:
            try value.encode(to: NodeEncoder(node: node, depth: depth, context: context))
            if context.isTooDeep { throw TooDeep(maxDepth: context.maxDepth) }
        }
    }

    /// An unsigned integer: exact while it fits in `Int64`, a double beyond.
    static func integer(_ value: some UnsignedInteger) -> JSONValue {
        if let exact = Int64(exactly: value) { return .integer(exact) }
        return .number(Double(value))
    }

    static func number(_ value: Double) -> JSONValue {
        if value.isNaN { return .string("NaN") }
        if value.isInfinite { return .string(value > 0 ? "Infinity" : "-Infinity") }
        return .number(value)
    }
}

/// What one encoding shares across its containers.
private final class Context {
    let maxDepth: Int
    /// Set by the first container opened past the limit; every later write then throws.
    var isTooDeep = false
    /// `encode` calls now on the stack, and how many may be: a value that wraps itself in
    /// single-value containers nests calls without nesting containers.
    var calls = 0
    let maxCalls: Int

    init(maxDepth: Int) {
        self.maxDepth = maxDepth
        maxCalls = 4 * maxDepth + 16
    }
}

/// One value being built: a scalar, an array or an object of further nodes.
private final class Node {
    private var scalar: JSONValue = .null
    private var elements: [Node]?
    private var fields: [String: Node]?

    func set(_ value: JSONValue) {
        scalar = value
        elements = nil
        fields = nil
    }

    func makeArray() {
        if elements == nil { elements = [] }
        fields = nil
    }

    func makeObject() {
        if fields == nil { fields = [:] }
        elements = nil
    }

    func append() -> Node {
        let node = Node()
        elements?.append(node)
        return node
    }

    func insert(_ key: String) -> Node {
        let node = Node()
        fields?[key] = node
        return node
    }

    /// The value built. Recursive, but never deeper than the encoder's limit: a deeper
    /// value threw before it was built.
    var value: JSONValue {
        if let elements { return .array(elements.map(\.value)) }
        if let fields { return .object(fields.mapValues(\.value)) }
        return scalar
    }
}

private struct NodeEncoder: Encoder {
    let node: Node
    /// Containers around this value.
    let depth: Int
    let context: Context
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    /// A container opened here sits at `depth + 1`; past the limit it is marked, and every
    /// write into it throws.
    private var containerDepth: Int {
        if depth + 1 > context.maxDepth { context.isTooDeep = true }
        return depth + 1
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        node.makeObject()
        return KeyedEncodingContainer(KeyedNodeContainer<Key>(node: node, depth: containerDepth, context: context))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        node.makeArray()
        return UnkeyedNodeContainer(node: node, depth: containerDepth, context: context)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleNodeContainer(node: node, depth: depth, context: context)
    }
}

private struct KeyedNodeContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: Node
    let depth: Int
    let context: Context
    var codingPath: [any CodingKey] = []

    private func check() throws {
        if context.isTooDeep { throw JSONValueEncoder.TooDeep(maxDepth: context.maxDepth) }
    }

    private func put(_ value: JSONValue, _ key: Key) throws {
        try check()
        node.insert(key.stringValue).set(value)
    }

    mutating func encodeNil(forKey key: Key) throws { try put(.null, key) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { try put(.bool(value), key) }
    mutating func encode(_ value: String, forKey key: Key) throws { try put(.string(value), key) }
    mutating func encode(_ value: Double, forKey key: Key) throws { try put(JSONValueEncoder.number(value), key) }
    mutating func encode(_ value: Float, forKey key: Key) throws { try put(JSONValueEncoder.number(Double(value)), key) }
    mutating func encode(_ value: Int, forKey key: Key) throws { try put(.integer(Int64(value)), key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { try put(.integer(Int64(value)), key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { try put(.integer(Int64(value)), key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { try put(.integer(Int64(value)), key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { try put(.integer(Int64(value)), key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { try put(JSONValueEncoder.integer(value), key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { try put(JSONValueEncoder.integer(value), key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { try put(JSONValueEncoder.integer(value), key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { try put(JSONValueEncoder.integer(value), key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { try put(JSONValueEncoder.integer(value), key) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try check()
        try JSONValueEncoder.encode(value, into: node.insert(key.stringValue), depth: depth, context: context)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        NodeEncoder(node: node.insert(key.stringValue), depth: depth, context: context).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        NodeEncoder(node: node.insert(key.stringValue), depth: depth, context: context).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        NodeEncoder(node: node.insert("super"), depth: depth, context: context)
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        NodeEncoder(node: node.insert(key.stringValue), depth: depth, context: context)
    }
}

private struct UnkeyedNodeContainer: UnkeyedEncodingContainer, ValueContainer {
    let node: Node
    let depth: Int
    let context: Context
    var codingPath: [any CodingKey] = []
    private(set) var count = 0

    init(node: Node, depth: Int, context: Context) {
        self.node = node
        self.depth = depth
        self.context = context
    }

    mutating func put(_ value: JSONValue) throws {
        if context.isTooDeep { throw JSONValueEncoder.TooDeep(maxDepth: context.maxDepth) }
        node.append().set(value)
        count += 1
    }

    mutating func encode<T: Encodable>(_ value: T) throws {
        if context.isTooDeep { throw JSONValueEncoder.TooDeep(maxDepth: context.maxDepth) }
        count += 1
        try JSONValueEncoder.encode(value, into: node.append(), depth: depth, context: context)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        count += 1
        return NodeEncoder(node: node.append(), depth: depth, context: context).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        count += 1
        return NodeEncoder(node: node.append(), depth: depth, context: context).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        count += 1
        return NodeEncoder(node: node.append(), depth: depth, context: context)
    }
}

private struct SingleNodeContainer: SingleValueEncodingContainer, ValueContainer {
    let node: Node
    /// Containers around this value: a value encoded through this container is the node itself.
    let depth: Int
    let context: Context
    var codingPath: [any CodingKey] = []

    func put(_ value: JSONValue) throws {
        if context.isTooDeep { throw JSONValueEncoder.TooDeep(maxDepth: context.maxDepth) }
        node.set(value)
    }

    mutating func encode<T: Encodable>(_ value: T) throws {
        if context.isTooDeep { throw JSONValueEncoder.TooDeep(maxDepth: context.maxDepth) }
        try JSONValueEncoder.encode(value, into: node, depth: depth, context: context)
    }
}

/// The containers that take one value at a time (unkeyed and single-value): every primitive
/// `encode` is a ``put(_:)`` of its `JSONValue`, written once here.
private protocol ValueContainer {
    mutating func put(_ value: JSONValue) throws
}

extension ValueContainer {
    mutating func encodeNil() throws { try put(.null) }
    mutating func encode(_ value: Bool) throws { try put(.bool(value)) }
    mutating func encode(_ value: String) throws { try put(.string(value)) }
    mutating func encode(_ value: Double) throws { try put(JSONValueEncoder.number(value)) }
    mutating func encode(_ value: Float) throws { try put(JSONValueEncoder.number(Double(value))) }
    mutating func encode(_ value: Int) throws { try put(.integer(Int64(value))) }
    mutating func encode(_ value: Int8) throws { try put(.integer(Int64(value))) }
    mutating func encode(_ value: Int16) throws { try put(.integer(Int64(value))) }
    mutating func encode(_ value: Int32) throws { try put(.integer(Int64(value))) }
    mutating func encode(_ value: Int64) throws { try put(.integer(Int64(value))) }
    mutating func encode(_ value: UInt) throws { try put(JSONValueEncoder.integer(value)) }
    mutating func encode(_ value: UInt8) throws { try put(JSONValueEncoder.integer(value)) }
    mutating func encode(_ value: UInt16) throws { try put(JSONValueEncoder.integer(value)) }
    mutating func encode(_ value: UInt32) throws { try put(JSONValueEncoder.integer(value)) }
    mutating func encode(_ value: UInt64) throws { try put(JSONValueEncoder.integer(value)) }
}
