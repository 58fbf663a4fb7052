import Testing
import Tracez
import TracezTestSupport

@testable import TracezOTLP

/// Hostile or mistyped values in the variables that hold secrets: the error says which
/// variable and which entry, and never any part of a header key, a header value or a
/// URL's credentials.
@Suite(.timeLimit(.minutes(3))) struct OTLPExporterConfigurationSecretsTests {

    /// A header list that cannot be used, the secrets in it, the malformed entry's position and why.
    static let malformedHeaders: [(raw: String, secrets: [String], position: Int, reason: String)] = [
        // A comma inside a value splits it: the second half is not key=value.
        ("api-key=sk-abc,defSECRETrest", ["sk-abc", "defSECRETrest"], 2, "expected key=value"),
        ("Zq7xW9kPv3Lm", ["Zq7xW9kPv3Lm"], 1, "expected key=value"),
        ("x-team=llm,=Zq7xW9kPv3Lm", ["Zq7xW9kPv3Lm"], 2, "key"),
        ("Bad Key9=Zq7xW9kPv3Lm", ["Bad Key9", "Zq7xW9kPv3Lm"], 1, "key"),
        ("x-api-key=Zq7xW9kP%zzv3Lm", ["Zq7xW9kP", "v3Lm"], 1, "%-escape"),
        ("x-api-key=Zq7xW9kP%0D%0AInj3ctXd: yes", ["Zq7xW9kP", "Inj3ctXd"], 1, "line break"),
        // A control character AsyncHTTPClient would refuse later, in an error that quotes the value.
        ("a=1,b=2,x-api-key=Zq7x%01W9kPv3Lm", ["Zq7x", "W9kPv3Lm"], 3, "control character"),
        ("x-api-key=Zq7xW9kP%7Fv3Lm", ["Zq7xW9kP", "v3Lm"], 1, "control character"),
        // Written the HTTP way, `:` for `=` (found by the fuzzer, Fuzz/Crashes/env-otlp).
        ("Authorization: Bearer Zq7xW9kPv3Lm", ["Zq7xW9kPv3Lm", "Bearer"], 1, "expected key=value"),
    ]

    @Test(arguments: ["OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_TRACES_HEADERS"])
    func malformedHeadersNameThePositionAndNoPartOfAKeyOrValue(_ variable: String) {
        for entry in Self.malformedHeaders {
            do {
                _ = try OTLPExporterConfiguration(environment: [variable: entry.raw])
                Issue.record("\(variable) #\(entry.position): accepted a malformed header list")
            } catch {
                guard error.code == .invalidEnvironmentVariable, let name = error.name, let reason = error.reason else {
                    Issue.record("unexpected error \(error)")
                    continue
                }
                #expect(name == variable)
                #expect(reason.contains("header \(entry.position)"), "\(reason)")
                #expect(reason.contains(entry.reason), "\(reason)")
                for text in renderings(of: error) {
                    #expect(secretLeaks(of: entry.secrets, in: text).isEmpty, "\(variable) case \(entry.raw.count): \(text)")
                }
            }
        }
    }

    static let userinfo = ["u5erN4me", "Zq7xW9kPv3Lm"]

    @Test(
        arguments: ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"],
        [
            "https://u5erN4me:Zq7xW9kPv3Lm@",  // no host
            "ftp://u5erN4me:Zq7xW9kPv3Lm@collector.example",
            "u5erN4me:Zq7xW9kPv3Lm@collector.example:4318",  // no scheme
            "https://u5erN4me:Zq7x@W9kPv3Lm@%%bad",  // an @ in the password
            "https://u5erN4me:Zq7x/W9kPv3Lm@collector.example",  // a / in the password
            "http://u5erN4me:Zq7xW9kPv3Lm@collector.example",  // plain http to a network host
            // Found by the fuzzer (Fuzz/Crashes/env-otlp): a password that starts with @, and an @ before ://.
            "ftp://u5erN4me:@Zq7xW9kPv3Lm@host",
            "x@ftp://u5erN4me:Zq7xW9kPv3Lm@host",
        ])
    func malformedEndpointsNeverEchoTheirCredentials(_ variable: String, _ raw: String) {
        do {
            _ = try OTLPExporterConfiguration(environment: [variable: raw])
            Issue.record("accepted \(variable)")
        } catch {
            guard error.code == .invalidEnvironmentVariable, let name = error.name else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(name == variable)
            for text in renderings(of: error) {
                #expect(secretLeaks(of: Self.userinfo, in: text).isEmpty, "\(text)")
            }
        }
    }

    @Test(arguments: ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"])
    func endpointCredentialsNeverAppearInTheConfigurationOrEndpoint(_ variable: String) throws {
        let configuration = try OTLPExporterConfiguration(environment: [
            variable: "https://u5erN4me:Zq7xW9kPv3Lm@collector.example:4318/otlp?token=QueryT0ken",
            "OTEL_EXPORTER_OTLP_HEADERS": "Authorization=Bearer%20Hdr5ecretValue",
        ])
        // The credentials are kept for the request...
        #expect(configuration.endpoint.url.user == "u5erN4me")
        #expect(configuration.headers.first?.value == "Bearer Hdr5ecretValue")
        // ...and shown nowhere.
        for value in [configuration as Any, configuration.endpoint] {
            for text in renderings(of: value) {
                #expect(secretLeaks(of: Self.userinfo + ["QueryT0ken", "Hdr5ecretValue"], in: text).isEmpty, "\(text)")
                #expect(text.contains("collector.example"))
            }
        }
    }
}
