import Testing
import TracezTestSupport

@testable import Tracez

/// `ServiceContext.activeSpan`: the running span, reachable from code inside it (issue 20).
@Suite(.timeLimit(.minutes(3))) struct ActiveSpanTests {
    @Test func insideWithSpanTheActiveSpanIsThatSpanAndOutsideThereIsNone() async throws {
        let (tracer, collector) = try makeTracer()
        #expect(ServiceContext.current?.activeSpan == nil)
        await tracer.withSpan("outer") { outer in
            #expect(ServiceContext.current?.activeSpan === outer)
            #expect(ServiceContext.current?.spanContext == outer.spanContext)
            await tracer.withSpan("inner") { inner in
                #expect(ServiceContext.current?.activeSpan === inner)
                #expect(inner.parentSpanID == outer.spanContext.spanID)
                // In a child task too.
                async let seen = ServiceContext.current?.activeSpan
                #expect(await seen === inner)
            }
            #expect(ServiceContext.current?.activeSpan === outer)
        }
        #expect(collector.takeAll().count == 2)
    }

    @Test func aSpanContextSetFromOutsideIsAParentButNoActiveSpan() throws {
        let (tracer, collector) = try makeTracer()
        let remote = SpanContext(traceID: TraceID.random(), spanID: SpanID.random(), traceFlags: .sampled, isRemote: true)
        var context = ServiceContext.topLevel
        context.spanContext = remote
        #expect(context.spanContext == remote)
        #expect(context.activeSpan == nil)
        let child = tracer.startSpan("child", context: context)
        #expect(child.spanContext.traceID == remote.traceID)
        #expect(child.parentSpanID == remote.spanID)
        #expect(child.parentIsRemote)
        child.end()
        context.spanContext = nil
        #expect(context.spanContext == nil)
        #expect(collector.takeAll().count == 1)
    }

    @Test func anExtractedParentIsNoActiveSpanAndItsContextSurvivesTheRoundTrip() throws {
        let (tracer, _) = try makeTracer()
        let span = tracer.startSpan("local")
        let headers = tracer.headers(injecting: span.context)
        let extracted = tracer.context(extracting: headers)
        #expect(extracted.activeSpan == nil)
        #expect(extracted.spanContext?.spanID == span.spanContext.spanID)
        #expect(extracted.spanContext?.isRemote == true)
        span.end()
    }
}
