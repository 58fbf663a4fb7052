/// Every 4-character piece of each secret that shows up in `text`: what a test of an error or
/// a description requires to be empty.
public func secretLeaks(of secrets: [String], in text: String) -> [String] {
    secrets.flatMap { secret -> [String] in
        let characters = Array(secret)
        guard characters.count >= 4 else { return text.contains(secret) ? [secret] : [] }
        return (0...(characters.count - 4)).map { String(characters[$0..<$0 + 4]) }.filter { text.contains($0) }
    }
}

/// What a user or a log could see of a value: its description, its debug description, and a dump.
public func renderings(of value: Any) -> [String] {
    var dumped = ""
    dump(value, to: &dumped)
    return [String(describing: value), String(reflecting: value), dumped]
}
