extension JSONValue {
    /// At least as many bytes as ``jsonText`` has, found without writing it: every string
    /// byte counted as a six-byte `\u` escape, every number as 32 bytes. Walks the value
    /// with a stack of its own.
    var jsonBytesUpperBound: Int {
        var total = 0
        var stack: [JSONValue] = [self]
        while let value = stack.popLast() {
            switch value {
            case .null, .bool: total += 5
            case .integer, .number: total += 32
            case .string(let string): total += 2 + 6 * string.utf8.count
            case .array(let values):
                total += 2 + values.count
                stack.append(contentsOf: values)
            case .object(let fields):
                for (key, value) in fields {
                    total += 4 + 6 * key.utf8.count
                    stack.append(value)
                }
                total += 2
            }
        }
        return total
    }
}
