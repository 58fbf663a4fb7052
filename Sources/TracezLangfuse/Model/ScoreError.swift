/// Why a ``Score`` was refused when it was made: what Langfuse would refuse, said before it is sent.
///
/// A struct with a ``code`` rather than an enum, so that a new rule is not a breaking change:
/// match on `error.code == .nonFiniteValue`.
public struct ScoreError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Which rule the score broke.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// The name is empty.
        public static let emptyName = Code("emptyName")
        /// The target names nothing: an empty session id, or a trace or span id of zeros.
        public static let emptyTarget = Code("emptyTarget")
        /// A numeric value that is NaN or infinite.
        public static let nonFiniteValue = Code("nonFiniteValue")
        /// A text value that is empty or longer than ``Score/maxTextCharacters``.
        public static let textLength = Code("textLength")
        /// A comment longer than ``Score/maxCommentBytes``.
        public static let commentTooLarge = Code("commentTooLarge")
        /// Metadata whose JSON is longer than ``Score/maxMetadataBytes``.
        public static let metadataTooLarge = Code("metadataTooLarge")

        public var description: String { name }
    }

    public let code: Code
    /// What is wrong, for a person: sizes and limits, never the value itself.
    public let reason: String

    public var description: String { "invalid score (\(code)): \(reason)" }
}
