import Testing
import TracezTestSupport

@_spi(Benchmarks) @testable import TracezOTLP

/// Our gzip output, read back by the system's `gzip -dc` (a decompressor we did not write).
@Suite(.timeLimit(.minutes(3))) struct GzipTests {
    @Test(arguments: [0, 1, 100, 65_537])
    func gzipReadsBackWhatWeCompressed(_ count: Int) throws {
        let input = (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 / 7) }
        let compressed = try Gzip.compress(input)
        #expect(compressed.starts(with: [0x1F, 0x8B]))  // the gzip magic number
        #expect(try gunzip(compressed) == input)
    }

    @Test func tenMegabytesOfSpansCompressWellAndReadBack() throws {
        let line = Array(#"{"name":"GET /orders/{id}","attributes":{"http.request.method":"GET"}}"#.utf8)
        let input = Array(repeating: line, count: 10 * 1024 * 1024 / line.count).flatMap { $0 }
        let compressed = try Gzip.compress(input)
        #expect(compressed.count < input.count / 20)
        #expect(try gunzip(compressed) == input)
    }

    @Test func incompressibleInputStillFits() throws {
        var generator = SplitMix(state: 42)
        let input = (0..<200_000).map { _ in UInt8.random(in: 0 ... .max, using: &generator) }
        for level: Int32 in [0, 1, 9] {
            #expect(try gunzip(Gzip.compress(input, level: level)) == input)
        }
    }

    @Test(arguments: [Int32(-2), 10, 99])
    func levelOutsideTheRangeIsAnError(_ level: Int32) {
        #expect(throws: GzipError.invalidLevel(level)) { try Gzip.compress([1, 2, 3], level: level) }
    }

    @Test func gunzipRejectsWhatIsNotGzip() {
        // The checker itself can fail: a test that trusts it must know that.
        #expect(throws: GunzipFailed.self) { try gunzip([1, 2, 3, 4]) }
    }
}
