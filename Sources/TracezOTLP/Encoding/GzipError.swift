/// What went wrong compressing a body with ``Gzip/compress(_:level:)``.
///
/// A value type; safe to share between tasks. Carries no part of the body.
@_spi(Benchmarks) public enum GzipError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A level outside 0...9.
    case invalidLevel(Int32)
    /// An input too large for one zlib call (over 2 GiB); split the batch.
    case inputTooLarge(bytes: Int)
    /// zlib answered `status` (its `Z_…` code) during the named call.
    case zlib(status: Int32, during: String)

    public var description: String {
        switch self {
        case .invalidLevel(let level): "gzip level must be 0 to 9, got \(level)"
        case .inputTooLarge(let bytes): "gzip input of \(bytes) bytes is over the 2 GiB one zlib call takes"
        case .zlib(let status, let call): "zlib \(call) failed with status \(status)"
        }
    }
}
