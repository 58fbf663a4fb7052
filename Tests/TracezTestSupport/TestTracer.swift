import Tracez

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A tracer with one collector and no pipeline: tests drain the collector themselves.
package func makeTracer(
    capacity: Int = 1024,
    configuration: TracerConfiguration = TracerConfiguration(serviceName: "tests")
) throws -> (Tracer, Collector) {
    let collector = try Collector(configuration: CollectorConfiguration(name: "test", capacity: capacity))
    return (Tracer(configuration: configuration, collectors: [collector]), collector)
}

extension Collector {
    /// Everything buffered, oldest first, reported exported so the counters stay balanced.
    package func takeAll() -> [SpanRecord] {
        let batch = drain(max: capacity)
        let records = batch.records
        batch.markExported()
        return records
    }

    /// Up to `max` records moved out and left in flight, unsettled: for tests of the
    /// collector's own accounting, which then report them with its package methods.
    package func drainUnsettled(max: Int) -> [SpanRecord] {
        drain(max: max).takeRecordsUnsettled()
    }
}

/// Whether this process runs under Thread Sanitizer, which makes it several times
/// slower and its resident memory meaningless; heavy tests scale down or skip.
package let isThreadSanitizerActive: Bool = {
    #if os(Linux)
        let defaultHandle: UnsafeMutableRawPointer? = nil  // RTLD_DEFAULT on glibc
    #else
        let defaultHandle = UnsafeMutableRawPointer(bitPattern: -2)  // RTLD_DEFAULT on Darwin
    #endif
    return dlsym(defaultHandle, "__tsan_init") != nil
}()

/// The process's resident set size in bytes, from /proc/self/statm (Linux only).
package func residentMemoryBytes() -> Int? {
    #if os(Linux)
        guard let file = fopen("/proc/self/statm", "r") else { return nil }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 256)
        guard fgets(&line, Int32(line.count), file) != nil else { return nil }
        // "size resident shared text lib data dt", in pages
        let fields = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self).split(separator: " ")
        guard fields.count >= 2, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    #else
        return nil
    #endif
}
