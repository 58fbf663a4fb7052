import Testing

@_spi(Benchmarks) @testable import TracezOTLP

/// `GzipError` matched by its case (and what the case carries), not only as "some error".
/// (`TransportError`'s half of this suite is `TracezHTTPTests/Transport/TransportErrorTests.swift`.)
@Suite(.timeLimit(.minutes(3))) struct GzipErrorTests {
    @Test(arguments: [Int32(-1), -2, 10, Int32.max, Int32.min])
    func levelOutsideZeroToNineIsInvalidLevelCarryingTheLevel(_ level: Int32) {
        // `compress` throws `GzipError` (typed): the switch must name every case it can meet.
        do {
            _ = try Gzip.compress([1, 2, 3], level: level)
            Issue.record("level \(level) was accepted")
        } catch {
            switch error {
            case .invalidLevel(let reported): #expect(reported == level)
            case .inputTooLarge, .zlib: Issue.record("level \(level) gave \(error)")
            }
        }
        #expect {
            try Gzip.compress([], level: level)
        } throws: { error in
            guard case GzipError.invalidLevel(let reported) = error else { return false }
            return reported == level && "\(error)".contains("\(level)")
        }
    }

    @Test(arguments: [Int32(0), 9])
    func theEdgeLevelsAreAccepted(_ level: Int32) throws {
        #expect(try Gzip.compress([1, 2, 3], level: level).starts(with: [0x1F, 0x8B]))
    }

    /// One byte over what one zlib call takes. The array is 2 GiB of address space that is never
    /// written or read (`compress` refuses it by its count first), so the pages are never
    /// touched and no physical memory is used; the allocation itself needs the kernel to allow
    /// a 2 GiB mapping (Linux's default overcommit does).
    @Test func anInputOverTwoGibibytesIsInputTooLargeCarryingItsSize() {
        let count = Int(UInt32.max / 2) + 1
        let huge = [UInt8](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
        #expect {
            try Gzip.compress(huge)
        } throws: { error in
            guard case GzipError.inputTooLarge(let bytes) = error else { return false }
            return bytes == count
        }
        // The level is checked before the size.
        #expect(throws: GzipError.invalidLevel(12)) { try Gzip.compress(huge, level: 12) }
    }

    @Test func gzipErrorsDescribeTheProblemWithoutTheBody() {
        #expect(GzipError.invalidLevel(11).description == "gzip level must be 0 to 9, got 11")
        #expect(GzipError.inputTooLarge(bytes: 3_000_000_000).description.contains("3000000000"))
        #expect(GzipError.zlib(status: -4, during: "deflate").description == "zlib deflate failed with status -4")
    }
}
