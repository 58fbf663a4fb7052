/// Langfuse's rule for environment names.
package enum LangfuseEnvironment {
    /// Lowercase letters, digits, `-` and `_`; 1 to 40 characters; not starting with `langfuse`.
    package static func isValid(_ name: String) -> Bool {
        guard (1...40).contains(name.utf8.count), !name.hasPrefix("langfuse") else { return false }
        return name.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
        }
    }
}
