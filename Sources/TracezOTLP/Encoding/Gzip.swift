import CZlib

/// gzip compression of request bodies (`Content-Encoding: gzip`), with the system's zlib.
///
/// Thread-safety: each call has its own zlib stream; safe from any number of tasks at once.
public enum Gzip {
    /// zlib's default level: the usual balance of speed and size.
    public static let defaultLevel: Int32 = 6

    /// `bytes` as one gzip member (RFC 1952).
    ///
    /// - Parameter level: 0 (store) to 9 (smallest).
    /// - Throws: ``GzipError`` if zlib refuses (out of memory, a bad level); never traps.
    public static func compress(_ bytes: [UInt8], level: Int32 = defaultLevel) throws(GzipError) -> [UInt8] {
        guard (0...9).contains(level) else { throw .invalidLevel(level) }
        var stream = z_stream()
        // windowBits 15 + 16: a gzip header and trailer instead of zlib's.
        var status = deflateInit2_(
            &stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY,
            zlibVersion(), Int32(MemoryLayout<z_stream>.size)
        )
        guard status == Z_OK else { throw .zlib(status: status, during: "deflateInit2") }
        defer { deflateEnd(&stream) }

        // deflateBound is the most one deflate call can produce for this input: one pass.
        let capacity = Int(deflateBound(&stream, uLong(bytes.count)))
        var output = [UInt8](repeating: 0, count: capacity)
        var input = bytes
        status = input.withUnsafeMutableBufferPointer { inputBuffer in
            output.withUnsafeMutableBufferPointer { outputBuffer in
                stream.next_in = inputBuffer.baseAddress
                stream.avail_in = uInt(inputBuffer.count)
                stream.next_out = outputBuffer.baseAddress
                stream.avail_out = uInt(outputBuffer.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else { throw .zlib(status: status, during: "deflate") }
        output.removeSubrange(Int(stream.total_out)...)
        return output
    }
}

/// What went wrong compressing a body.
public enum GzipError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A level outside 0...9.
    case invalidLevel(Int32)
    /// zlib answered `status` (its `Z_…` code) during the named call.
    case zlib(status: Int32, during: String)

    public var description: String {
        switch self {
        case .invalidLevel(let level): "gzip level must be 0 to 9, got \(level)"
        case .zlib(let status, let call): "zlib \(call) failed with status \(status)"
        }
    }
}
