/// Langfuse's `{{variable}}` substitution, as the SDKs do it: `{{ name }}` (spaces around the
/// name allowed) becomes the variable's value; a variable not given stays as written and is
/// reported. Substituted values are not read again, so a value holding `{{x}}` stays as it is.
/// No other template logic.
enum PromptTemplate {
    /// `template` with every given variable filled in, and the names of those not given, in
    /// order of first appearance.
    ///
    /// - Complexity: O(length of `template` + length of the result).
    static func fill(_ template: String, with variables: [String: String], missing: inout [String]) -> String {
        guard template.contains("{{") else { return template }
        var result = ""
        var rest = template[...]
        while let open = rest.range(of: "{{") {
            result += rest[..<open.lowerBound]
            let afterOpen = rest[open.upperBound...]
            guard let close = afterOpen.range(of: "}}") else {
                rest = rest[open.lowerBound...]
                break
            }
            let name = afterOpen[..<close.lowerBound].trimmingWhitespace()
            if let value = variables[String(name)] {
                result += value
            } else {
                result += rest[open.lowerBound..<close.upperBound]
                if !name.isEmpty, !missing.contains(String(name)) { missing.append(String(name)) }
            }
            rest = afterOpen[close.upperBound...]
        }
        result += rest
        return result
    }
}

extension Substring {
    fileprivate func trimmingWhitespace() -> Substring {
        var text = self
        while text.first?.isWhitespace == true { text.removeFirst() }
        while text.last?.isWhitespace == true { text.removeLast() }
        return text
    }
}
