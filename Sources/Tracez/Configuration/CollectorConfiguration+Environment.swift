extension CollectorConfiguration {
    /// A collector named `name` whose capacity is `OTEL_BSP_MAX_QUEUE_SIZE` (records, at
    /// least 1) when set, as the OTel batch span processor's queue; otherwise the default.
    ///
    /// - Throws: ``TracezError/invalidEnvironmentVariable(name:value:reason:)`` naming the variable.
    public init(name: String, environment: [String: String]) throws(TracezError) {
        self.init(name: name)
        if let size = try EnvironmentReader(environment).integer("OTEL_BSP_MAX_QUEUE_SIZE", in: 1...EnvironmentReader.maximum) {
            capacity = size
        }
    }
}
