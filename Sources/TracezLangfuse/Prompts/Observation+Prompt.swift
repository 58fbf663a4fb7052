import Tracez

extension Observation {
    /// Links this generation to the prompt it used: sets its name and version, as
    /// ``setPrompt(name:version:)`` does, for a prompt fetched from Langfuse. A fallback
    /// (``ManagedPrompt/isFallback``) sets nothing: Langfuse has no such version to link to.
    public func setPrompt(_ prompt: some ManagedPrompt) {
        guard prompt.isLinkable else { return }
        setPrompt(name: prompt.name, version: prompt.version)
    }
}

extension Tracez.Tracer {
    /// Runs `operation` in a new generation for `model`, linked to `prompt` (unless it is a
    /// fallback, see ``Observation/setPrompt(_:)``).
    ///
    /// ```swift
    /// let prompt = try await prompts.chatPrompt(named: "support", fallback: fallbackMessages)
    /// let messages = prompt.compile(["product": "Tracez"]).messages
    /// let answer = try await tracer.withGeneration("answer", model: "gpt-4o", prompt: prompt, input: messages) { generation in
    ///     try await client.chat(messages)
    /// }
    /// ```
    public func withGeneration<T>(
        _ name: String,
        model: String,
        prompt: some ManagedPrompt,
        input: (some Encodable)? = String?.none,
        function: String = #function,
        file fileID: String = #fileID,
        line: UInt = #line,
        _ operation: (Observation) async throws -> T
    ) async rethrows -> T {
        try await withGeneration(name, model: model, input: input, function: function, file: fileID, line: line) { generation in
            generation.setPrompt(prompt)
            return try await operation(generation)
        }
    }
}
