import Tracez

extension Tracez.Tracer {
    /// Runs `operation` with trace-level fields in the task-local context: every observation
    /// started inside it (here, in child tasks, through `withObservation` and friends)
    /// carries them, and so does the span that is running when it is called (as the Python
    /// SDK's `propagate_attributes` sets them on the current span). Nested calls merge, the
    /// inner fields winning.
    ///
    /// With ``TracePropagation/baggage`` the fields also travel to the services called
    /// inside it, in the W3C `baggage` header; read the warning there first.
    public func withTrace<T>(
        _ trace: TraceAttributes,
        propagation: TracePropagation = .inProcess,
        _ operation: () async throws -> T
    ) async rethrows -> T {
        var context = ServiceContext.current ?? .topLevel
        let merged = (context.langfuseTrace ?? TraceAttributes()).merging(trace)
        context.langfuseTrace = merged
        if propagation.usesBaggage {
            // The fields given here; tags and metadata merged with the outer ones, as the Python SDK sends them.
            var sent = trace
            if !trace.tags.isEmpty { sent.tags = merged.tags }
            if !trace.metadata.isEmpty { sent.metadata = merged.metadata }
            var baggage = context.baggage ?? Baggage()
            for (key, value) in sent.baggageEntries { baggage[key] = value }
            context.baggage = baggage
        }
        if let running = context.activeSpan {
            TraceAttributesHook.write(merged, on: running)
        }
        return try await ServiceContext.withValue(context) { try await operation() }
    }

    /// Runs `operation` in a new observation of `type`, which ends when it returns. A
    /// thrown error is recorded on it (level `ERROR`, status message) and rethrown.
    public func withObservation<T>(
        _ name: String,
        type: ObservationType = .span,
        input: (some Encodable)? = String?.none,
        function: String = #function,
        file fileID: String = #fileID,
        line: UInt = #line,
        _ operation: (Observation) async throws -> T
    ) async rethrows -> T {
        try await withSpan(name, ofKind: .internal, function: function, file: fileID, line: line) { span in
            let observation = Observation(span, type: type)
            if let input { observation.setInput(input) }
            do {
                return try await operation(observation)
            } catch {
                observation.setLevel(.error)
                observation.setStatusMessage(String(describing: error))
                throw error
            }
        }
    }

    /// Runs `operation` in a new generation (an LLM call) for `model`.
    ///
    /// ```swift
    /// let answer = try await tracer.withGeneration("chat", model: "gpt-4o") { generation in
    ///     generation.setInput(messages)
    ///     let reply = try await client.chat(messages)
    ///     generation.setOutput(reply.text)
    ///     generation.setUsage(input: reply.inputTokens, output: reply.outputTokens)
    ///     return reply.text
    /// }
    /// ```
    public func withGeneration<T>(
        _ name: String,
        model: String,
        input: (some Encodable)? = String?.none,
        function: String = #function,
        file fileID: String = #fileID,
        line: UInt = #line,
        _ operation: (Observation) async throws -> T
    ) async rethrows -> T {
        try await withObservation(name, type: .generation, input: input, function: function, file: fileID, line: line) { generation in
            generation.setModel(model)
            return try await operation(generation)
        }
    }

    /// Records an `event` observation: a point in time (its start is its end), a child of
    /// the current span, as the SDKs' `create_event` makes.
    public func recordEvent(
        _ name: String,
        input: (some Encodable)? = String?.none,
        output: (some Encodable)? = String?.none,
        metadata: [String: JSONValue] = [:],
        level: ObservationLevel? = nil,
        function: String = #function,
        file fileID: String = #fileID,
        line: UInt = #line
    ) {
        let now = DefaultTracerClock.now
        let span = startSpan(name, context: ServiceContext.current ?? .topLevel, ofKind: .internal, at: now, function: function, file: fileID, line: line)
        let event = Observation(span, type: .event)
        if let input { event.setInput(input) }
        if let output { event.setOutput(output) }
        for (key, value) in metadata { event.setMetadata(key, value) }
        if let level { event.setLevel(level) }
        span.end(at: now)
    }

    /// Records a score (an evaluation) for a trace, an observation or a session.
    ///
    /// A score travels as a record of its own through the tracer's collectors and
    /// pipelines, so it is batched, retried and counted like a span; the Langfuse exporter
    /// sends it as a `score-create` event. Other exporters see a zero-length span named
    /// `score <name>`; give them a `CollectorFilter` that leaves it out if that matters.
    ///
    /// As the Python SDK does, a score of a trace or an observation is sampled with that
    /// trace (the current span's decision when it belongs to the trace, otherwise the
    /// tracer's sampler asked about the trace's id), and a session score is never sampled
    /// out. A score without an environment takes the current trace's, then the one configured
    /// on this tracer's ``LangfuseExporter`` (the first, if it has several).
    public func recordScore(_ score: Score) {
        let isSampled: Bool
        if let traceID = score.traceID {
            if let current = ServiceContext.current?.spanContext, current.traceID == traceID {
                isSampled = current.isSampled
            } else {
                isSampled = configuration.sampler.shouldSample(traceID: traceID, parent: nil)
            }
        } else {
            isSampled = true
        }
        var score = score
        if score.environment == nil {
            score.environment = ServiceContext.current?.langfuseTrace?.environment ?? LangfuseValueShaper.of(self).defaults.environment
        }
        // A new root, not a child of the current span: a score is not part of the trace's tree.
        let span = startSpan("score \(score.name)", ofKind: .internal, isSampled: isSampled)
        span.updateAttributes { attributes in
            attributes[LangfuseAttributeName.scoreName] = score.name
            attributes[LangfuseAttributeName.scoreBody] = score.jsonText
        }
        span.end()
    }

    /// Scores the trace of the current task's active span; does nothing outside a span.
    ///
    /// - Throws: ``ScoreError`` when Langfuse would refuse the score.
    public func scoreCurrentTrace(
        name: String,
        value: Score.Value,
        comment: String? = nil,
        metadata: [String: JSONValue]? = nil
    ) throws(ScoreError) {
        guard let context = ServiceContext.current?.spanContext else { return }
        recordScore(try Score(name: name, value: value, target: .trace(context.traceID), comment: comment, metadata: metadata))
    }
}
