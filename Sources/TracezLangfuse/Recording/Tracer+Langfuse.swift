import Tracez

extension Tracez.Tracer {
    /// Runs `operation` with trace-level fields in the task-local context: every observation
    /// started inside it (here, in child tasks, through `withObservation` and friends)
    /// carries them. Nested calls merge, the inner fields winning.
    public func withTrace<T>(
        _ trace: TraceAttributes,
        _ operation: () async throws -> T
    ) async rethrows -> T {
        var context = ServiceContext.current ?? .topLevel
        context.langfuseTrace = (context.langfuseTrace ?? TraceAttributes()).merging(trace)
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
            let observation = Observation(span)
            span.updateAttributes { attributes in
                attributes[LangfuseAttributeName.observationType] = type.rawValue
                let trace = ServiceContext.current?.langfuseTrace ?? TraceAttributes()
                LangfuseValues.defaults.merging(trace).write(to: &attributes)
            }
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

    /// Records a score (an evaluation) for a trace, an observation or a session.
    ///
    /// A score travels as a record of its own through the tracer's collectors and
    /// pipelines, so it is batched, retried and counted like a span; the Langfuse exporter
    /// sends it as a `score-create` event. Other exporters see a zero-length span named
    /// `score <name>`; give them a ``CollectorFilter`` that leaves it out if that matters.
    public func recordScore(_ score: Score) {
        // A new root, not a child of the current span: a score is not part of the trace's tree.
        let span = startSpan("score \(score.name)", context: .topLevel, ofKind: .internal)
        span.updateAttributes { attributes in
            attributes[LangfuseAttributeName.scoreName] = score.name
            attributes[LangfuseAttributeName.scoreBody] = score.jsonText
        }
        span.end()
    }
}
