import ArgumentParser
import Testing

@testable import tracez

/// `tracez size`, parsed as the command line would be, and its computed answer.
@Suite(.timeLimit(.minutes(3))) struct SizeCommandTests {
    @Test func capacityIsRateTimesIntervalTimesTheDefaultSafetyOfTwo() throws {
        let command = try SizeCommand.parse(["--spans-per-second", "1000", "--interval", "5"])
        #expect(command.estimate.capacity == 10_000)
    }

    @Test func safetyFactorMultipliesTheCapacity() throws {
        let command = try SizeCommand.parse(["--spans-per-second", "1000", "--interval", "5", "--safety", "3"])
        #expect(command.estimate.capacity == 15_000)
    }

    @Test func fractionalProductsRoundUpButExactOnesDoNot() throws {
        let exact = try SizeCommand.parse(["--spans-per-second", "1000", "--interval", "0.3"])
        #expect(exact.estimate.capacity == 600)  // 1000 x 0.3 x 2 is 600.0000000000001 in binary
        let fractional = try SizeCommand.parse(["--spans-per-second", "3", "--interval", "0.5", "--safety", "1.5"])
        #expect(fractional.estimate.capacity == 3)  // 2.25 rounds up
    }

    @Test func memoryIsCapacityTimesTheMeasuredBytesPerSpan() throws {
        let command = try SizeCommand.parse(["--spans-per-second", "2000", "--interval", "1"])
        let estimate = command.estimate
        #expect(estimate.bytesPerSpan == BufferedSpanCost.standard.bytesWithFourAttributes)
        #expect(estimate.bytes == 4000 * BufferedSpanCost.standard.bytesWithFourAttributes)
        #expect(command.report.contains("capacity: 4000 spans"))
        #expect(command.report.contains("CollectorConfiguration(capacity: 4000)"))
    }

    @Test func moreAttributesAndLongStringsCostMore() throws {
        let four = try SizeCommand.parse(["--spans-per-second", "100", "--interval", "1"]).estimate
        let sixteen = try SizeCommand.parse(["--spans-per-second", "100", "--interval", "1", "--attributes", "16"]).estimate
        let long = try SizeCommand.parse([
            "--spans-per-second", "100", "--interval", "1", "--attribute-bytes", "200",
        ]).estimate
        #expect(sixteen.bytesPerSpan == BufferedSpanCost.standard.bytesWithSixteenAttributes)
        #expect(long.bytesPerSpan > four.bytesPerSpan + 4 * 200)
        #expect(four.capacity == sixteen.capacity)
    }

    @Test func typedSettersUseTheirOwnMeasuredFigures() throws {
        let typed = try SizeCommand.parse(["--spans-per-second", "2000", "--interval", "1", "--setters", "typed"])
        #expect(typed.estimate.bytesPerSpan == BufferedSpanCost.typed.bytesWithFourAttributes)
        #expect(typed.report.contains("typed setters"))
        let sixteen = try SizeCommand.parse(["--spans-per-second", "1", "--interval", "1", "--setters", "typed", "--attributes", "16"])
        #expect(sixteen.estimate.bytesPerSpan == BufferedSpanCost.typed.bytesWithSixteenAttributes)
        #expect(throws: (any Error).self) { try SizeCommand.parse(["--spans-per-second", "1", "--interval", "1", "--setters", "fast"]) }
    }

    @Test func shortStringsLiveInlineAndCostNothingExtra() {
        #expect(BufferedSpanCost.heapStringBytes(15) == 0)
        #expect(BufferedSpanCost.heapStringBytes(16) > 16)
    }

    @Test func reportFormatsBytesInBinaryUnits() {
        #expect(SizeCommand.formatBytes(512) == "512 bytes")
        #expect(SizeCommand.formatBytes(1536) == "1.5 KiB")
        #expect(SizeCommand.formatBytes(3 * 1024 * 1024) == "3.0 MiB")
    }

    @Test(arguments: [
        ["--spans-per-second", "0", "--interval", "5"],
        ["--spans-per-second", "-10", "--interval", "5"],
        ["--spans-per-second", "many", "--interval", "5"],
        ["--spans-per-second", "nan", "--interval", "5"],
        ["--spans-per-second", "inf", "--interval", "5"],
        ["--spans-per-second", "1e300", "--interval", "5"],
        ["--spans-per-second", "1000", "--interval", "0"],
        ["--spans-per-second", "1000", "--interval", "-1"],
        ["--spans-per-second", "1000", "--interval", "NaN"],
        ["--spans-per-second", "1000", "--interval", "5", "--safety", "0"],
        ["--spans-per-second", "1000", "--interval", "5", "--safety", "0.5"],
        ["--spans-per-second", "1000", "--interval", "5", "--safety", "1e9"],
        ["--spans-per-second", "1000", "--interval", "5", "--attributes", "-1"],
        ["--spans-per-second", "1000", "--interval", "5", "--attributes", "100000"],
        ["--spans-per-second", "1000", "--interval", "5", "--attribute-bytes", "-5"],
        ["--spans-per-second", "1000", "--interval", "5", "--attribute-bytes", "99999999999"],
        // Each is allowed on its own; the product is not a collector size.
        ["--spans-per-second", "100000000", "--interval", "86400"],
        ["--interval", "5"],
        ["--spans-per-second", "1000"],
        ["--spans-per-second", "1000", "--interval", "5", "--round-trip", "0"],
        ["--spans-per-second", "1000", "--interval", "5", "--round-trip", "-0.1"],
        ["--spans-per-second", "1000", "--interval", "5", "--round-trip", "nan"],
        ["--spans-per-second", "1000", "--interval", "5", "--round-trip", "1e9"],
        ["--spans-per-second", "1000", "--interval", "5", "--batch-size", "0"],
        ["--spans-per-second", "1000", "--interval", "5", "--concurrent-exports", "0"],
        ["--spans-per-second", "1000", "--interval", "5", "--concurrent-exports", "1025"],
    ])
    func rejectsInputThatIsNotASize(arguments: [String]) {
        #expect(throws: (any Error).self) { try SizeCommand.parse(arguments) }
    }

    /// Throughput is at most concurrent exports x batch size / round trip, whatever the buffer.
    @Test func aPipelineThatKeepsUpSaysSoWithItsCeiling() throws {
        let command = try SizeCommand.parse(["--spans-per-second", "5000", "--interval", "1", "--round-trip", "0.1"])
        #expect(command.throughputCeiling == 20_480)  // 4 x 512 / 0.1
        #expect(command.report.contains("export:   keeps up: at most 20480 spans/s  (4 exports x 512 spans / 0.1 s)"))
        #expect(command.report.hasSuffix("ExportConfiguration(maxBatchSize: 512, maxConcurrentExports: 4)"))
    }

    @Test func aPipelineThatCannotKeepUpSaysHowManyExportsWould() throws {
        // 30 000 spans/s over a 100 ms round trip in batches of 512: 5.86 batches in flight, so 6 exports.
        let command = try SizeCommand.parse(["--spans-per-second", "30000", "--interval", "1", "--round-trip", "0.1"])
        #expect(command.concurrentExportsNeeded == 6)
        #expect(command.report.contains("CANNOT KEEP UP: at most 20480 spans/s"))
        #expect(command.report.contains("the collector fills at 9520 spans/s whatever its capacity: raise --concurrent-exports to 6"))
        #expect(command.report.hasSuffix("ExportConfiguration(maxBatchSize: 512, maxConcurrentExports: 6)"))
        // The same rate with one export at a time, as the stdout exporter runs.
        let one = try SizeCommand.parse([
            "--spans-per-second", "30000", "--interval", "1", "--round-trip", "0.1", "--concurrent-exports", "1",
        ])
        #expect(one.throughputCeiling == 5_120)
        #expect(one.report.contains("CANNOT KEEP UP"))
    }

    @Test func aRateNoConcurrencyCanCarryAsksForLargerBatches() throws {
        let command = try SizeCommand.parse(["--spans-per-second", "1000000", "--interval", "0.1", "--round-trip", "1", "--batch-size", "8"])
        #expect(command.concurrentExportsNeeded == nil)  // 125 000 exports: over the limit of 1024
        #expect(command.report.contains("use larger batches, or several pipelines"))
    }

    @Test func withoutARoundTripThereIsNoThroughputLine() throws {
        let command = try SizeCommand.parse(["--spans-per-second", "5000", "--interval", "1"])
        #expect(command.throughputCeiling == nil)
        #expect(!command.report.contains("export:"))
        #expect(command.report.hasSuffix("CollectorConfiguration(capacity: 10000)"))
    }

    @Test func errorMessageNamesTheOptionAndTheValue() {
        do {
            _ = try SizeCommand.parse(["--spans-per-second", "0", "--interval", "5"])
            Issue.record("expected an error")
        } catch {
            let message = SizeCommand.message(for: error)
            #expect(message.contains("--spans-per-second"))
            #expect(message.contains("0"))
        }
    }

    @Test func helpExplainsTheFormula() {
        let help = SizeCommand.helpMessage()
        #expect(help.contains("capacity = R x S x F"))
        #expect(help.contains("bytes per buffered span"))
        #expect(help.contains("throughput = C x B / T"))
    }
}
