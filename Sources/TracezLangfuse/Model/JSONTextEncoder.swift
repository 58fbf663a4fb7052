import Foundation
import Tracez

/// Writes any `Encodable` as compact JSON text with sorted keys: byte for byte what
/// `JSONValue(encoding:maxDepth:)` followed by ``JSONValue/jsonText`` writes, without building
/// the ``JSONValue`` in between.
///
/// Why: benchmark "Langfuse generation: …" spent most of a generation's allocations on that
/// tree: a node object per value, a heap box per value (``JSONValue`` is an indirect enum), an
/// array or dictionary per container. Here an encoding records its values in one flat array
/// (children linked by index, strings and numbers kept as they came), so a value costs no
/// allocation of its own, and the text is written from that array once the encoding is over.
///
/// Why a record, and not text written while encoding: `Encoder` lets a value write into a
/// container after it has opened another one (a nested container, or a second container
/// from the same encoder), write a key twice (the later value wins, where the first key
/// sorts), or replace a container it is still writing into, whose later writes are then
/// lost. Only a record of the whole value says what text it comes to; a flat one keeps the
/// semantics of ``JSONValueEncoder``'s tree at the cost of a few array growths per value.
///
/// Mirrors ``JSONValueEncoder`` call for call (change both together): the same depth and call
/// accounting, the same ``JSONValueEncoder/TooDeep`` at the same points, the same special cases
/// (an embedded ``JSONValue``, `Date`, `Data`, `URL`, `Decimal`) and the same number rules.
/// `JSONTextEncoderTests` compares the two texts on a broad corpus.
///
/// Thread-safety: a value; each call of ``encode(_:)`` has its own state.
struct JSONTextEncoder {
    /// Containers (objects and arrays) inside one another, at most.
    var maxDepth: Int

    /// The JSON text of `value`, as `try JSONValue(encoding: value, maxDepth: maxDepth).jsonText`.
    ///
    /// - Throws: ``JSONValueEncoder/TooDeep`` for a value nested deeper than ``maxDepth``, or
    ///   what the value's own `encode(to:)` throws.
    func encode(_ value: some Encodable) throws -> String {
        try encode(value, stringAsItself: false)
    }

    /// ``encode(_:)``, except that with `stringAsItself` a value that encodes as a JSON string
    /// gives that string unquoted, as ``LangfuseValueShaper`` sends strings.
    func encode(_ value: some Encodable, stringAsItself: Bool) throws -> String {
        let record = ValueRecord(maxDepth: maxDepth)
        try Self.encode(value, into: ValueRecord.root, depth: 0, record: record)
        if record.isTooDeep { throw JSONValueEncoder.TooDeep(maxDepth: maxDepth) }
        if stringAsItself, let string = record.rootString { return string }
        var writer = TextWriter(nodes: record.nodes, capacity: record.estimatedBytes)
        return writer.text()
    }

    /// Encodes `value` into `node`; `depth` is the number of containers around it.
    /// ``JSONValueEncoder``'s `encode(_:into:depth:context:)`, line for line.
    fileprivate static func encode(_ value: some Encodable, into node: Int, depth: Int, record: ValueRecord) throws {
        // Calls nested through single-value containers add no depth, so they are bounded apart.
        record.calls += 1
        defer { record.calls -= 1 }
        if record.calls > record.maxCalls { record.isTooDeep = true }
        if record.isTooDeep { throw JSONValueEncoder.TooDeep(maxDepth: record.maxDepth) }
        switch value {
        case let json as JSONValue:
            // Already a value: measured without following it (it may be deep).
            guard !json.isNested(deeperThan: record.maxDepth - depth) else {
                record.isTooDeep = true
                throw JSONValueEncoder.TooDeep(maxDepth: record.maxDepth)
            }
            record.set(node, .json(json))
        case let date as Date:
            record.set(node, .string(LangfuseTime.iso8601(date)))
        case let data as Data:
            record.set(node, .string(data.base64EncodedString()))
        case let url as URL:
            record.set(node, .string(url.absoluteString))
        case let decimal as Decimal:
            // Not through `Scalar.double`: the tree keeps a NaN decimal as the number it is.
            record.set(node, .number(NSDecimalNumber(decimal: decimal).doubleValue))
        default:
            try value.encode(to: TextEncoder(record: record, node: node, depth: depth))
            if record.isTooDeep { throw JSONValueEncoder.TooDeep(maxDepth: record.maxDepth) }
        }
    }
}

/// A scalar as ``JSONValue`` would hold it, kept unwritten until the text is written (a string
/// is retained, not copied), or an embedded ``JSONValue``.
private enum Scalar {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case json(JSONValue)

    /// `JSONValueEncoder.number(_:)`: NaN and infinities as strings.
    static func double(_ value: Double) -> Scalar {
        if value.isNaN { return .string("NaN") }
        if value.isInfinite { return .string(value > 0 ? "Infinity" : "-Infinity") }
        return .number(value)
    }

    /// `JSONValueEncoder.integer(_:)`: exact while it fits in `Int64`, a double beyond.
    static func unsigned(_ value: some UnsignedInteger) -> Scalar {
        if let exact = Int64(exactly: value) { return .integer(exact) }
        return .number(Double(value))
    }

    /// Bytes this scalar is likely to take as text, to size the writer once.
    var estimatedBytes: Int {
        switch self {
        case .string(let string): string.utf8.count + 2
        case .json: 64
        default: 8
        }
    }
}

/// What a node of ``ValueRecord`` is now: ``JSONValueEncoder``'s `Node` holds a scalar, an
/// array of nodes or an object of nodes, and changes between them the same way.
private enum NodeKind: UInt8 {
    case scalar
    case array
    case object
}

/// One value of a ``ValueRecord``: its scalar, or its children as a list linked by index.
private struct RecordNode {
    var kind = NodeKind.scalar
    var scalar = Scalar.null
    /// The first and last child, or -1.
    var first = -1
    var last = -1
    /// The next child of the same parent, or -1.
    var next = -1
    /// This node's key in its parent object ("" in an array).
    var key = ""

    /// `Node.set(_:)`: the scalar, its children (if any) let go.
    mutating func set(_ value: Scalar) {
        kind = .scalar
        scalar = value
        first = -1
        last = -1
    }

    /// `Node.makeArray()` and `makeObject()`: a container of this kind kept, any other value
    /// replaced by an empty one.
    mutating func become(_ container: NodeKind) {
        guard kind != container else { return }
        kind = container
        first = -1
        last = -1
    }
}

/// What one encoding records and shares across its containers: ``JSONValueEncoder``'s `Context`
/// and its tree of `Node`s, the nodes as one array.
///
/// Nodes are never removed: a node replaced (a key written again, a container turned into
/// a scalar) stays in the array, unlinked, as the tree's replaced nodes stay alive in the
/// hands of containers that still write into them, unread.
private final class ValueRecord {
    static let root = 0

    let maxDepth: Int
    /// Set by the first container opened past the limit; every later write then throws.
    var isTooDeep = false
    /// `encode` calls now on the stack, and how many may be: a value that wraps itself in
    /// single-value containers nests calls without nesting containers.
    var calls = 0
    let maxCalls: Int
    private(set) var nodes: [RecordNode]
    /// About how many bytes the text will take: enough that the writer seldom grows.
    private(set) var estimatedBytes = 0

    init(maxDepth: Int) {
        self.maxDepth = maxDepth
        maxCalls = 4 * maxDepth + 16
        nodes = [RecordNode()]
        nodes.reserveCapacity(16)
    }

    func check() throws {
        if isTooDeep { throw JSONValueEncoder.TooDeep(maxDepth: maxDepth) }
    }

    func set(_ node: Int, _ value: Scalar) {
        estimatedBytes += value.estimatedBytes
        nodes[node].set(value)
    }

    func makeArray(_ node: Int) {
        nodes[node].become(.array)
    }

    func makeObject(_ node: Int) {
        nodes[node].become(.object)
    }

    /// `Node.append()`: a new node, the parent's last element if the parent is an array now,
    /// unlinked (written into, never read) if not.
    func append(to parent: Int) -> Int {
        estimatedBytes += 1
        return add(RecordNode(), to: parent, ifItIs: .array)
    }

    /// `Node.insert(_:)`: a new node under `key`, if the parent is an object now.
    func insert(_ key: String, into parent: Int) -> Int {
        estimatedBytes += key.utf8.count + 4
        return add(RecordNode(key: key), to: parent, ifItIs: .object)
    }

    private func add(_ child: RecordNode, to parent: Int, ifItIs kind: NodeKind) -> Int {
        let index = nodes.count
        nodes.append(child)
        guard nodes[parent].kind == kind else { return index }
        let last = nodes[parent].last
        if last < 0 { nodes[parent].first = index } else { nodes[last].next = index }
        nodes[parent].last = index
        return index
    }

    /// The string the whole value is, if it is one (``JSONValue/string(_:)``).
    var rootString: String? {
        let root = nodes[Self.root]
        guard root.kind == .scalar else { return nil }
        switch root.scalar {
        case .string(let string): return string
        case .json(.string(let string)): return string
        default: return nil
        }
    }
}

/// Writes a ``ValueRecord`` as ``JSONValue/jsonText`` writes the tree it stands for, with a
/// stack of its own (no recursion, whatever the depth).
private struct TextWriter {
    /// An array or object being written.
    private struct Frame {
        let isObject: Bool
        /// An array's next element (a node, -1 after the last), or an object's next member
        /// (its place in `members`).
        var cursor: Int
        /// An array's first element, or an object's first member in `members`.
        let start: Int
        /// Past an object's last member in `members`.
        let end: Int
    }

    /// One member of an object: the node whose key is written, and the node whose value is.
    private struct Member {
        var key: Int
        var value: Int
    }

    let nodes: [RecordNode]
    private var writer: JSONWriter
    private var frames: [Frame] = []
    /// The members of the objects being written, sorted, innermost object last.
    private var members: [Member] = []

    init(nodes: [RecordNode], capacity: Int) {
        self.nodes = nodes
        writer = JSONWriter(capacity: capacity)
    }

    mutating func text() -> String {
        open(ValueRecord.root)
        while let frame = frames.last {
            let top = frames.count - 1
            if frame.isObject {
                guard frame.cursor < frame.end else {
                    writer.byte(UInt8(ascii: "}"))
                    members.removeSubrange(frame.start...)
                    frames.removeLast()
                    continue
                }
                if frame.cursor > frame.start { writer.byte(UInt8(ascii: ",")) }
                let member = members[frame.cursor]
                frames[top].cursor += 1
                writer.string(nodes[member.key].key)
                writer.byte(UInt8(ascii: ":"))
                open(member.value)
            } else {
                guard frame.cursor >= 0 else {
                    writer.byte(UInt8(ascii: "]"))
                    frames.removeLast()
                    continue
                }
                if frame.cursor != frame.start { writer.byte(UInt8(ascii: ",")) }
                frames[top].cursor = nodes[frame.cursor].next
                open(frame.cursor)
            }
        }
        return writer.text
    }

    /// Writes `node` if it is a scalar, or its opening bracket and a frame for the rest.
    private mutating func open(_ index: Int) {
        // A copy (of the reference) for the sort's comparator, which may not capture `self`
        // while `members` is being sorted.
        let nodes = self.nodes
        let node = nodes[index]
        switch node.kind {
        case .scalar:
            write(node.scalar)
        case .array:
            writer.byte(UInt8(ascii: "["))
            frames.append(Frame(isObject: false, cursor: node.first, start: node.first, end: 0))
        case .object:
            writer.byte(UInt8(ascii: "{"))
            let start = members.count
            var child = node.first
            while child >= 0 {
                members.append(Member(key: child, value: child))
                child = nodes[child].next
            }
            // In key order, as `fields.keys.sorted()`; equal keys in the order written, so that
            // the merge below keeps what the tree's dictionary keeps.
            members[start...].sort { a, b in
                let (keyA, keyB) = (nodes[a.key].key, nodes[b.key].key)
                return keyA == keyB ? a.key < b.key : keyA < keyB
            }
            // A key written twice (or keys equal as Swift strings, such as "é" composed and
            // not): a dictionary keeps the first key and the last value.
            var end = start
            for index in start..<members.count {
                if end > start, nodes[members[end - 1].key].key == nodes[members[index].key].key {
                    members[end - 1].value = members[index].value
                } else {
                    members[end] = members[index]
                    end += 1
                }
            }
            members.removeSubrange(end...)
            frames.append(Frame(isObject: true, cursor: start, start: start, end: end))
        }
    }

    /// A scalar as ``JSONValue/jsonText`` writes the ``JSONValue`` it stands for.
    private mutating func write(_ scalar: Scalar) {
        switch scalar {
        case .null:
            writer.raw("null")
        case .bool(let bool):
            writer.bool(bool)
        case .integer(let integer):
            writer.number(integer)
        case .number(let number):
            JSONValue.write(number: number, to: &writer)
        case .string(let string):
            writer.string(string)
        case .json(let json):
            json.write(to: &writer)
        }
    }
}

/// ``JSONValueEncoder``'s `NodeEncoder`. Three words, so that passing it as `any Encoder`
/// needs no box of its own.
private struct TextEncoder: Encoder {
    let record: ValueRecord
    let node: Int
    /// Containers around this value.
    let depth: Int
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    /// A container opened here sits at `depth + 1`; past the limit it is marked, and every
    /// write into it throws.
    private var containerDepth: Int {
        if depth + 1 > record.maxDepth { record.isTooDeep = true }
        return depth + 1
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        record.makeObject(node)
        return KeyedEncodingContainer(KeyedTextContainer<Key>(record: record, node: node, depth: containerDepth))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        record.makeArray(node)
        return UnkeyedTextContainer(record: record, node: node, depth: containerDepth)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleTextContainer(record: record, node: node, depth: depth)
    }
}

private struct KeyedTextContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let record: ValueRecord
    let node: Int
    let depth: Int
    var codingPath: [any CodingKey] { [] }

    private func put(_ value: Scalar, _ key: Key) throws {
        try record.check()
        record.set(record.insert(key.stringValue, into: node), value)
    }

    mutating func encodeNil(forKey key: Key) throws { try put(.null, key) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { try put(.bool(value), key) }
    mutating func encode(_ value: String, forKey key: Key) throws { try put(.string(value), key) }
    mutating func encode(_ value: Double, forKey key: Key) throws { try put(.double(value), key) }
    mutating func encode(_ value: Float, forKey key: Key) throws { try put(.double(Double(value)), key) }
    mutating func encode(_ value: Int, forKey key: Key) throws { try put(.integer(Int64(value)), key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { try put(.integer(Int64(value)), key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { try put(.integer(Int64(value)), key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { try put(.integer(Int64(value)), key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { try put(.integer(value), key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { try put(.unsigned(value), key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { try put(.unsigned(value), key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { try put(.unsigned(value), key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { try put(.unsigned(value), key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { try put(.unsigned(value), key) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try record.check()
        try JSONTextEncoder.encode(value, into: record.insert(key.stringValue, into: node), depth: depth, record: record)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        TextEncoder(record: record, node: record.insert(key.stringValue, into: node), depth: depth).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        TextEncoder(record: record, node: record.insert(key.stringValue, into: node), depth: depth).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        TextEncoder(record: record, node: record.insert("super", into: node), depth: depth)
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        TextEncoder(record: record, node: record.insert(key.stringValue, into: node), depth: depth)
    }
}

private struct UnkeyedTextContainer: UnkeyedEncodingContainer, TextValueContainer {
    let record: ValueRecord
    let node: Int
    let depth: Int
    var codingPath: [any CodingKey] { [] }
    private(set) var count = 0

    init(record: ValueRecord, node: Int, depth: Int) {
        self.record = record
        self.node = node
        self.depth = depth
    }

    mutating func put(_ value: Scalar) throws {
        try record.check()
        record.set(record.append(to: node), value)
        count += 1
    }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try record.check()
        count += 1
        try JSONTextEncoder.encode(value, into: record.append(to: node), depth: depth, record: record)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        count += 1
        return TextEncoder(record: record, node: record.append(to: node), depth: depth).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        count += 1
        return TextEncoder(record: record, node: record.append(to: node), depth: depth).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        count += 1
        return TextEncoder(record: record, node: record.append(to: node), depth: depth)
    }
}

private struct SingleTextContainer: SingleValueEncodingContainer, TextValueContainer {
    let record: ValueRecord
    let node: Int
    /// Containers around this value: a value encoded through this container is the node itself.
    let depth: Int
    var codingPath: [any CodingKey] { [] }

    func put(_ value: Scalar) throws {
        try record.check()
        record.set(node, value)
    }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try record.check()
        try JSONTextEncoder.encode(value, into: node, depth: depth, record: record)
    }
}

/// The containers that take one value at a time (unkeyed and single-value): every primitive
/// `encode` is a ``put(_:)`` of its scalar, written once here.
private protocol TextValueContainer {
    mutating func put(_ value: Scalar) throws
}

extension TextValueContainer {
    mutating func encodeNil() throws { try put(.null) }
    mutating func encode(_ value: Bool) throws { try put(.bool(value)) }
    mutating func encode(_ value: String) throws { try put(.string(value)) }
    mutating func encode(_ value: Double) throws { try put(.double(value)) }
    mutating func encode(_ value: Float) throws { try put(.double(Double(value))) }
    mutating func encode(_ value: Int) throws { try put(.integer(Int64(value))) }
    mutating func encode(_ value: Int8) throws { try put(.integer(Int64(value))) }
    mutating func encode(_ value: Int16) throws { try put(.integer(Int64(value))) }
    mutating func encode(_ value: Int32) throws { try put(.integer(Int64(value))) }
    mutating func encode(_ value: Int64) throws { try put(.integer(value)) }
    mutating func encode(_ value: UInt) throws { try put(.unsigned(value)) }
    mutating func encode(_ value: UInt8) throws { try put(.unsigned(value)) }
    mutating func encode(_ value: UInt16) throws { try put(.unsigned(value)) }
    mutating func encode(_ value: UInt32) throws { try put(.unsigned(value)) }
    mutating func encode(_ value: UInt64) throws { try put(.unsigned(value)) }
}
