import Foundation

/// Environment variables made from fuzz bytes, two ways: every variable set to the whole
/// input (lossy UTF-8), and the input split at line feeds, one line per variable in the
/// order of `names` (an empty line leaves its variable unset; lines past the last name are ignored).
///
/// The split form is the one whose secrets can be checked: each value there came from one
/// variable only, so finding it in an error means the error repeated that variable.
struct EnvironmentInput {
    let whole: [String: String]
    let split: [String: String]

    init(_ bytes: [UInt8], names: [String]) {
        let text = String(decoding: bytes, as: UTF8.self)
        whole = Dictionary(uniqueKeysWithValues: names.map { ($0, text) })
        var split: [String: String] = [:]
        for (name, line) in zip(names, bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)) where !line.isEmpty {
            split[name] = String(decoding: line, as: UTF8.self)
        }
        self.split = split
    }
}

/// Secrets shorter than this are not checked: a short one can appear in a message by chance.
let minimumCheckedSecretLength = 8

/// Traps if `description` contains one of `secrets` that no other, public input also holds
/// (an error may repeat a non-secret value, and a secret equal to part of it then shows too).
func expectNoSecret(in description: String, secrets: [String], publicInputs: [String], what: String) {
    if isVerbose { print("\(what): \(description)\n  secrets: \(secrets)") }
    for secret in secrets where secret.count >= minimumCheckedSecretLength && !secret.contains("…") {
        guard description.contains(secret), !publicInputs.contains(where: { $0.contains(secret) }) else { continue }
        preconditionFailure("secret leak: \(what) \(description.debugDescription) repeats the secret \(secret.debugDescription)")
    }
}

/// The same trimming as the configuration readers: Unicode whitespace at both ends.
func trimmedLikeConfiguration(_ text: some StringProtocol) -> String {
    var scalars = Substring(text).unicodeScalars
    while let first = scalars.first, first.properties.isWhitespace { scalars.removeFirst() }
    while let last = scalars.last, last.properties.isWhitespace { scalars.removeLast() }
    return String(scalars)
}

/// A secret and its percent-decoded form, when that differs.
func withPercentDecoding(_ secret: String) -> [String] {
    guard let decoded = secret.removingPercentEncoding, decoded != secret else { return [secret] }
    return [secret, decoded]
}

/// The credentials of a URL (`https://user:password@host`): the password, or the whole user
/// part when it has no `:` (a token used as the user name).
func urlCredentials(_ raw: String) -> [String] {
    let text = trimmedLikeConfiguration(raw)
    guard let schemeEnd = text.range(of: "://")?.upperBound else { return [] }
    let rest = text[schemeEnd...]
    let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
    guard let at = authority.lastIndex(of: "@") else { return [] }
    let userInfo = authority[..<at]
    if let colon = userInfo.firstIndex(of: ":") {
        return withPercentDecoding(String(userInfo[userInfo.index(after: colon)...]))
    }
    return withPercentDecoding(String(userInfo))
}

/// TRACEZ_FUZZ_VERBOSE=1 prints every description checked, and the secrets it was checked for:
/// for replaying one input by hand.
let isVerbose = ProcessInfo.processInfo.environment["TRACEZ_FUZZ_VERBOSE"] == "1"
