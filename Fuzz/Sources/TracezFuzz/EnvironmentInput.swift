import Foundation

/// Environment variables made from fuzz bytes, two ways: every variable set to the whole
/// input (lossy UTF-8), and the input split at line feeds, one line per variable in the
/// order of `names` (an empty line leaves its variable unset; lines past the last name are ignored).
///
/// The split form is the one whose secrets are checked: there each variable has a value of its own.
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

/// A secret in one variable's value: a header value, a key, a URL's password.
struct Secret {
    let variable: String
    /// What must not be printed: the secret as written, and its percent-decoded form when that differs.
    let forms: [String]
    /// The variable's value with this secret, and only this occurrence of it, replaced by `x`s.
    let masked: String

    /// The secret at `range` (Unicode scalar boundaries) of `value`, the value of `variable`.
    init(variable: String, value: String, range: Range<String.Index>) {
        var scalars = value.unicodeScalars
        let raw = String(scalars[range])
        scalars.replaceSubrange(range, with: repeatElement("x" as Unicode.Scalar, count: scalars[range].count))
        self.variable = variable
        masked = String(scalars)
        if let decoded = raw.removingPercentEncoding, decoded != raw { forms = [raw, decoded] } else { forms = [raw] }
    }
}

/// Secrets shorter than this are not checked: a short one can appear in a message by chance.
let minimumCheckedSecretLength = 8

/// Traps if what `describe` says of `environment` (an error's or a configuration's
/// description) repeats one of `secrets`.
///
/// A secret counts as repeated only if it goes away when `x`s take its place in its variable:
/// text that is also the library's own wording, or a part of the input that may be quoted
/// (another variable, a header's key), stays and is not a leak.
func expectNoSecret(_ secrets: [Secret], in environment: [String: String], what: String, describe: ([String: String]) -> String) {
    let description = describe(environment)
    if isVerbose { print("\(what): \(description)\n  secrets: \(secrets.flatMap(\.forms))") }
    for secret in secrets {
        // A key masked as `sk-lf-…1234` would read as itself if it were that string already.
        for form in secret.forms where form.count >= minimumCheckedSecretLength && !form.contains("…") && description.includes(form) {
            var masked = environment
            masked[secret.variable] = secret.masked
            // Also quoted elsewhere in the input (a host name that holds the key, say): not a leak.
            guard !masked.values.contains(where: { $0.includes(form) }), !describe(masked).includes(form) else { continue }
            preconditionFailure("secret leak: \(what) \(description.debugDescription) repeats the secret \(form.debugDescription) of \(secret.variable)")
        }
    }
}

extension String {
    /// Whether `other`'s UTF-8 bytes appear in this string's.
    ///
    /// Not Foundation's `contains(_:)`: on Linux it reads a needle only up to its first NUL, so
    /// `"\u{FFFD}".contains("\u{FFFD}\0")` trapped with "String index is out of bounds" and
    /// `"a".contains("a\0")` is true (the fuzzer's find; the input is `Corpus/env-langfuse/nul-in-secret`).
    /// The library itself searches only for literals that hold no NUL.
    func includes(_ other: String) -> Bool {
        utf8.firstRange(of: other.utf8) != nil
    }
}

/// The range of `text` without Unicode whitespace at either end: what the configuration readers keep.
func trimmedRange(_ text: Substring) -> Range<String.Index> {
    var scalars = text.unicodeScalars
    while let first = scalars.first, first.properties.isWhitespace { scalars.removeFirst() }
    while let last = scalars.last, last.properties.isWhitespace { scalars.removeLast() }
    return scalars.startIndex..<scalars.endIndex
}

/// The credentials of a URL (`https://user:password@host`): the password, or the whole user
/// part when it has no `:` (a token used as the user name). Only for a URL of that plain
/// shape (a scheme of letters, digits, `+-.`, and one `@` before the host) unless
/// ``checksURLsWithSeveralAts``.
func urlCredentials(_ value: String, variable: String) -> [Secret] {
    let text = value[trimmedRange(value[...])]
    guard let separator = text.range(of: "://") else { return [] }
    let scheme = text[..<separator.lowerBound]
    guard let first = scheme.first, first.isASCII, first.isLetter,
        scheme.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) })
    else { return [] }
    let authority = text[separator.upperBound...].prefix { $0 != "/" && $0 != "?" && $0 != "#" }
    guard let at = authority.lastIndex(of: "@") else { return [] }
    guard checksURLsWithSeveralAts || authority.firstIndex(of: "@") == at else { return [] }
    let userInfo = authority[..<at]
    let start = userInfo.firstIndex(of: ":").map(userInfo.index(after:)) ?? userInfo.startIndex
    guard start < at else { return [] }
    return [Secret(variable: variable, value: value, range: start..<at)]
}

/// Whether the credentials of a URL with another `@` before the one that ends them
/// (`ftp://user:p@ss@host`) are checked.
///
/// On since `HTTPEndpoint.redacted` cuts everything between `://` and the last `@` (it cut at
/// the first `@`, so a password holding one was printed: the fuzzer's find, now a case of
/// `OTLPExporterConfigurationSecretsTests.malformedEndpointsNeverEchoTheirCredentials`).
let checksURLsWithSeveralAts = true

/// TRACEZ_FUZZ_VERBOSE=1 prints every description checked, and the secrets it was checked for:
/// for replaying one input by hand.
let isVerbose = ProcessInfo.processInfo.environment["TRACEZ_FUZZ_VERBOSE"] == "1"
