/// What a cached prompt is found by: its name, and the version or label asked for (the
/// label `production` when neither was, as the server reads it), so that
/// `prompt(named: "x")` and `prompt(named: "x", label: "production")` share one entry.
struct PromptCacheKey: Hashable, Sendable {
    let name: String
    let version: Int?
    let label: String?

    init(name: String, version: Int?, label: String?) {
        self.name = name
        self.version = version
        self.label = version == nil && label == nil ? "production" : label
    }

    /// `label production`, `version 3`, `version 3, label staging`: for errors and logs.
    var selector: String {
        [version.map { "version \($0)" }, label.map { "label \($0.prefix(100))" }].compactMap(\.self).joined(separator: ", ")
    }
}
