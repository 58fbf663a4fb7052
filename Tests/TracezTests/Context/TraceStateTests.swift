import Testing

@testable import Tracez

@Suite(.timeLimit(.minutes(3))) struct TraceStateTests {
    static let specExample = "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE"

    private func keys(_ header: String) -> [String] {
        TraceState(header: header).entries.map(\.key)
    }

    @Test func specExampleParsesInOrder() {
        let state = TraceState(header: Self.specExample)
        #expect(state.entries.map(\.key) == ["rojo", "congo"])
        #expect(state["rojo"] == "00f067aa0ba902b7")
        #expect(state["congo"] == "t61rcWkgMzE")
        #expect(state["missing"] == nil)
    }

    @Test func emptyHeaderGivesEmptyState() {
        let state = TraceState(header: "")
        #expect(state.isEmpty)
        #expect(state == TraceState())
        #expect(state.headerValue == "")
    }

    @Test func spacesAndTabsAroundMembersAreIgnored() {
        let state = TraceState(header: " rojo=00f067aa0ba902b7 ,\tcongo=t61rcWkgMzE\t ")
        #expect(state == TraceState(header: Self.specExample))
        #expect(state.headerValue == Self.specExample)
    }

    @Test func emptyMembersAreSkipped() {
        #expect(keys(",,rojo=1, ,\t,congo=2,") == ["rojo", "congo"])
    }

    @Test(arguments: [
        ("uppercase key", "Bad=1"),
        ("empty key", "=1"),
        ("empty value", "bad="),
        ("value containing =", "bad=a=b"),
        ("no =", "bad"),
        ("key with space", "b ad=1"),
        ("key starting with _", "_bad=1"),
        ("two @ in key", "a@b@c=1"),
        ("value with non-ASCII", "bad=caf\u{E9}"),
        ("value with control character", "bad=a\u{7}b"),
    ])
    func invalidMemberIsSkippedAndNeighboursKept(_ reason: String, _ member: String) {
        #expect(keys("first=1,\(member),last=2") == ["first", "last"], "\(reason)")
    }

    @Test func multiTenantKeysAndValueWithInnerSpaceAreAccepted() {
        let state = TraceState(header: "fw529a3039@dt=x y,acme@vendor=1")
        #expect(state["fw529a3039@dt"] == "x y")
        #expect(state["acme@vendor"] == "1")
    }

    @Test func duplicateKeyKeepsFirstValue() {
        let state = TraceState(header: "rojo=first,congo=2,rojo=second")
        #expect(state.entries.map(\.key) == ["rojo", "congo"])
        #expect(state["rojo"] == "first")
    }

    @Test func moreThanThirtyTwoMembersAreCutToThirtyTwo() {
        let header = (0..<40).map { "k\($0)=v\($0)" }.joined(separator: ",")
        let state = TraceState(header: header)
        #expect(state.entries.count == TraceState.maximumEntries)
        #expect(state.entries.map(\.key) == (0..<32).map { "k\($0)" })
    }

    @Test func invalidMembersDoNotCountTowardsTheLimit() {
        let header = (["BAD=1"] + (0..<32).map { "k\($0)=v" }).joined(separator: ",")
        #expect(keys(header).count == 32)
        #expect(keys(header).first == "k0")
    }

    @Test func headerValueRoundTrips() {
        let state = TraceState(header: Self.specExample)
        #expect(state.headerValue == Self.specExample)
        #expect(TraceState(header: state.headerValue) == state)
    }

    @Test func equalityAndHashDependOnOrder() {
        let forward = TraceState(header: "a=1,b=2")
        let backward = TraceState(header: "b=2,a=1")
        #expect(forward != backward)
        #expect(Set([forward, TraceState(header: "a=1, b=2")]).count == 1)
    }

    // W3C Trace Context level 1, section 3.3.1.3.1:
    //   simple-key = lcalpha 0*255(...)             -- must start with a-z
    //   system-id  = lcalpha 0*13(...)              -- after "@": 1 to 14 chars, starting with a-z
    @Test(arguments: [
        ("simple key starting with a digit", "1abc=1"),
        ("empty system id", "tenant@=1"),
        ("system id starting with a digit", "tenant@1sys=1"),
        ("system id longer than 14 characters", "tenant@abcdefghijklmno=1"),
    ])
    func keyOutsideW3CGrammarIsSkipped(_ reason: String, _ member: String) {
        #expect(keys("first=1,\(member),last=2") == ["first", "last"], "\(reason)")
    }

    @Test func combiningMarkAfterCommaDoesNotSwallowPreviousMember() {
        // The header is split on the byte ",", but a "," followed by a combining mark is one
        // Character in Swift; the valid "rojo" member must survive the invalid member after it.
        #expect(keys("rojo=1,\u{301}bad=2,congo=3") == ["rojo", "congo"])
    }
}
