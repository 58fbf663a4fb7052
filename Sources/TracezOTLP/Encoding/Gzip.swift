import CZlib

/// gzip compression of request bodies (`Content-Encoding: gzip`), with the system's zlib.
///
/// Thread-safety: each call has its own zlib stream and shares nothing; safe from any
/// number of tasks at once. The caller keeps its input; the result is a new array it owns.
///
/// - Complexity: one pass over the input in one `deflate` call, into one output array
///   allocated at `deflateBound` size (a little over the input, for incompressible data) and
///   shortened to fit. Measured on an OTLP batch in the comment on ``OTLPProtobufEncoder``.
///
/// Benchmarks SPI (`@_spi(Benchmarks) import TracezOTLP`): not part of the API users write;
/// public only so that Benchmarks/ can measure it on its own.
@_spi(Benchmarks) public enum Gzip {
    /// zlib's default level: the usual balance of speed and size.
    public static let defaultLevel: Int32 = 6

    /// `bytes` as one gzip member (RFC 1952).
    ///
    /// - Parameter level: 0 (store) to 9 (smallest).
    /// - Throws: ``GzipError`` if zlib refuses (out of memory, a bad level) or the input is
    ///   beyond zlib's 32-bit counters; never traps.
    public static func compress(_ bytes: [UInt8], level: Int32 = defaultLevel) throws(GzipError) -> [UInt8] {
        guard (0...9).contains(level) else { throw .invalidLevel(level) }
        // zlib counts in 32 bits (`uInt`); beyond that one call cannot take the input.
        guard bytes.count <= Int(UInt32.max / 2) else { throw .inputTooLarge(bytes: bytes.count) }
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
        var produced = 0
        let output = [UInt8](unsafeUninitializedCapacity: capacity) { outputBuffer, initialized in
            status = bytes.withUnsafeBufferPointer { inputBuffer in
                // zlib's `next_in` is not const-qualified without ZLIB_CONST, but deflate only reads it.
                stream.next_in = UnsafeMutablePointer(mutating: inputBuffer.baseAddress)
                stream.avail_in = uInt(inputBuffer.count)
                stream.next_out = outputBuffer.baseAddress
                stream.avail_out = uInt(outputBuffer.count)
                return deflate(&stream, Z_FINISH)
            }
            produced = capacity - Int(stream.avail_out)
            initialized = status == Z_STREAM_END ? produced : 0
        }
        guard status == Z_STREAM_END else { throw .zlib(status: status, during: "deflate") }
        return output
    }
}
