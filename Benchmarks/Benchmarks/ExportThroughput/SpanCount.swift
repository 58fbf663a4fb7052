/// Counts the spans of an OTLP `ExportTraceServiceRequest` in protobuf without decoding them:
/// `resource_spans` (1) → `scope_spans` (2) → `spans` (2), every other field skipped by its
/// length. Enough for a benchmark's backend to count what arrived at a few hundred thousand
/// spans a second without taking the CPU the exporters are measured on; the wire format itself
/// is checked elsewhere, with decoders Tracez did not write (Docs/OTLP.md).
enum SpanCount {
    static func inRequest(_ bytes: [UInt8]) -> Int {
        var count = 0
        forEachField(bytes[...], number: 1) { resourceSpans in
            forEachField(resourceSpans, number: 2) { scopeSpans in
                forEachField(scopeSpans, number: 2) { _ in count += 1 }
            }
        }
        return count
    }

    /// Calls `body` with each length-delimited field `number` of `bytes`; stops at malformed input.
    private static func forEachField(_ bytes: ArraySlice<UInt8>, number: UInt64, _ body: (ArraySlice<UInt8>) -> Void) {
        var rest = bytes
        while !rest.isEmpty {
            guard let key = varint(&rest) else { return }
            switch key & 7 {
            case 0: guard varint(&rest) != nil else { return }
            case 1:
                guard rest.count >= 8 else { return }
                rest = rest.dropFirst(8)
            case 5:
                guard rest.count >= 4 else { return }
                rest = rest.dropFirst(4)
            case 2:
                guard let length = varint(&rest), length <= UInt64(rest.count) else { return }
                let field = rest.prefix(Int(length))
                rest = rest.dropFirst(Int(length))
                if key >> 3 == number { body(field) }
            default: return
            }
        }
    }

    private static func varint(_ bytes: inout ArraySlice<UInt8>) -> UInt64? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while let byte = bytes.popFirst() {
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
            if shift >= 64 { return nil }
        }
        return nil
    }
}
