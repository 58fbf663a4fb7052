import Testing

@testable import Tracez

@Suite(.timeLimit(.minutes(3))) struct TraceIDTests {
    static let example = TraceID(high: 0x4bf9_2f35_77b3_4da6, low: 0xa3ce_929d_0e0e_4736)
    static let exampleHex = "4bf92f3577b34da6a3ce929d0e0e4736"

    @Test func hexStringIsThirtyTwoLowercaseDigits() {
        #expect(Self.example.hexString == Self.exampleHex)
        #expect(Self.example.description == Self.exampleHex)
    }

    @Test func hexStringKeepsLeadingZeros() {
        #expect(TraceID(high: 0, low: 1).hexString == "00000000000000000000000000000001")
        #expect(TraceID(high: 0xA, low: 0).hexString == "000000000000000a0000000000000000")
    }

    @Test func hexStringRoundTrips() {
        #expect(TraceID(hexString: Self.exampleHex) == Self.example)
        let id = TraceID.random()
        #expect(TraceID(hexString: id.hexString) == id)
    }

    @Test func parsingAcceptsUppercaseDigits() {
        #expect(TraceID(hexString: Self.exampleHex.uppercased()) == Self.example)
        #expect(TraceID(hexString: "4BF92F3577B34DA6a3ce929d0e0e4736") == Self.example)
    }

    @Test func parsingAcceptsASubstring() {
        let header = "00-\(Self.exampleHex)-00f067aa0ba902b7-01"
        let field = header.dropFirst(3).prefix(32)
        #expect(TraceID(hexString: field) == Self.example)
    }

    @Test func allZeroIDIsInvalidAndRejected() {
        #expect(!TraceID(high: 0, low: 0).isValid)
        #expect(TraceID(hexString: String(repeating: "0", count: 32)) == nil)
    }

    @Test func idWithOnlyOneHalfNonZeroIsValid() {
        #expect(TraceID(high: 0, low: 1).isValid)
        #expect(TraceID(high: 1, low: 0).isValid)
        #expect(TraceID(hexString: "00000000000000010000000000000000") == TraceID(high: 1, low: 0))
    }

    @Test(arguments: [
        "",
        "4bf92f3577b34da6a3ce929d0e0e473",  // 31 digits
        "4bf92f3577b34da6a3ce929d0e0e47360",  // 33 digits
        "4bf92f3577b34da6a3ce929d0e0e473g",  // non-hex letter
        "4bf92f3577b34da6-3ce929d0e0e4736",  // dash
        " 4bf92f3577b34da6a3ce929d0e0e473",  // leading space
        "0x4bf92f3577b34da6a3ce929d0e0e47",  // 0x prefix
        "4bf92f3577b34da6a3ce929d0e0e47é",  // 32 UTF-8 bytes, not hex
    ])
    func malformedHexIsRejected(_ text: String) {
        #expect(TraceID(hexString: text) == nil)
    }

    @Test func bytesAreBigEndian() {
        let id = TraceID(high: 0x0102_0304_0506_0708, low: 0x090A_0B0C_0D0E_0F10)
        #expect(id.bytes == Array(1...16))
        #expect(Self.example.bytes.first == 0x4b)
        #expect(Self.example.bytes.last == 0x36)
    }

    @Test func orderingComparesHighThenLow() {
        #expect(TraceID(high: 1, low: .max) < TraceID(high: 2, low: 0))
        #expect(TraceID(high: 1, low: 1) < TraceID(high: 1, low: 2))
        #expect(!(TraceID(high: 1, low: 2) < TraceID(high: 1, low: 2)))
    }

    @Test func millionRandomIDsAreValidAndDistinct() {
        let ids = drawDistinctIDs(1_000_000, TraceID.random)
        #expect(ids.count == 1_000_000)
        #expect(ids.allSatisfy { $0.isValid })
    }

    @Test func idsDrawnConcurrentlyAreDistinct() async {
        let ids = await drawIDsConcurrently(tasks: 8, perTask: 50_000, TraceID.random)
        #expect(ids.count == 400_000)
        #expect(Set(ids).count == ids.count)
    }
}

// MARK: - Helpers shared with SpanIDTests

/// Draws `count` ids; the set's size is below `count` if any repeated.
func drawDistinctIDs<ID: Hashable>(_ count: Int, _ make: () -> ID) -> Set<ID> {
    var ids = Set<ID>(minimumCapacity: count)
    for _ in 0..<count { ids.insert(make()) }
    return ids
}

/// Draws `perTask` ids in each of `tasks` concurrent child tasks and returns all of them.
func drawIDsConcurrently<ID: Sendable>(
    tasks: Int,
    perTask: Int,
    _ make: @escaping @Sendable () -> ID
) async -> [ID] {
    await withTaskGroup(of: [ID].self) { group in
        for _ in 0..<tasks {
            group.addTask { (0..<perTask).map { _ in make() } }
        }
        return await group.reduce(into: []) { $0 += $1 }
    }
}
