import CAllocatorStatistics

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Memory figures for the benchmarks that report memory instead of time.
public enum Memory {
    /// Resident set size of this process, from `/proc/self/statm` (Linux); `nil` elsewhere.
    public static func residentBytes() -> Int? {
        #if os(Linux)
        let descriptor = open("/proc/self/statm", O_RDONLY)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        guard count > 0 else { return nil }
        // "size resident shared text lib data dt", in pages.
        let fields = buffer[..<count].split(separator: UInt8(ascii: " "))
        guard fields.count > 1, let pages = Int(String(decoding: fields[1], as: UTF8.self)) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
        #else
        return nil
        #endif
    }

    /// Bytes the C allocator has handed out and not yet had back (glibc's `mallinfo2`);
    /// `nil` where that is not known. In a benchmark process this includes the malloc
    /// interposer's 16-byte header on each live allocation.
    public static func allocatedBytes() -> Int? {
        let bytes = tracez_allocated_bytes()
        return bytes == 0 ? nil : Int(bytes)
    }
}
