import Testing
import Tracez
import TracezOTLP
import TracezTestSupport

@testable import TracezLangfuse

extension LangfuseTests {
    @Suite struct ConfigurationTests {
        static let keys = ["LANGFUSE_PUBLIC_KEY": "pk-lf-abcdef-1234", "LANGFUSE_SECRET_KEY": "sk-lf-very-secret-5678"]

        @Test func keysAloneSendToLangfuseCloudOverOTel() throws {
            let settings = try LangfuseSettings(environment: Self.keys)
            #expect(settings.configuration.baseURL.url.absoluteString == "https://cloud.langfuse.com")
            #expect(settings.configuration.api == .otel)
            #expect(settings.configuration.endpoint.url.absoluteString == "https://cloud.langfuse.com/api/public/otel/v1/traces")
            #expect(settings.isTracingEnabled && !settings.isDebug && settings.sampleRate == nil)
        }

        @Test func eachRegionSendsToItsOwnCloudOverHTTPS() throws {
            let hosts = LangfuseRegion.all.map { $0.baseURL.url.host }
            #expect(hosts == ["cloud.langfuse.com", "us.cloud.langfuse.com", "hipaa.cloud.langfuse.com"])
            #expect(LangfuseRegion.all.allSatisfy { $0.baseURL.isSecure })
            let us = try LangfuseConfiguration(publicKey: "pk-lf-1", secretKey: "sk-lf-1", baseURL: LangfuseRegion.us.baseURL)
            #expect(us.endpoint.url.absoluteString == "https://us.cloud.langfuse.com/api/public/otel/v1/traces")
            #expect(LangfuseConfiguration.defaultBaseURL == LangfuseRegion.eu.url)
        }

        @Test func baseURLWinsOverTheOlderHost() throws {
            let host = try LangfuseSettings(environment: Self.keys.merging(["LANGFUSE_HOST": "https://eu.example"]) { $1 })
            #expect(host.configuration.baseURL.url.absoluteString == "https://eu.example")
            let both = try LangfuseSettings(
                environment: Self.keys.merging(["LANGFUSE_HOST": "https://old.example", "LANGFUSE_BASE_URL": "http://127.0.0.1:3000"]) { $1 },
                api: .ingestion
            )
            #expect(both.configuration.endpoint.url.absoluteString == "http://127.0.0.1:3000/api/public/ingestion")
        }

        @Test func everyVariableIsRead() throws {
            let settings = try LangfuseSettings(
                environment: Self.keys.merging([
                    "LANGFUSE_TRACING_ENVIRONMENT": "staging-eu",
                    "LANGFUSE_RELEASE": "v1.2.3",
                    "LANGFUSE_SAMPLE_RATE": "0.25",
                    "LANGFUSE_FLUSH_AT": "20",
                    "LANGFUSE_FLUSH_INTERVAL": "0.5",
                    "LANGFUSE_TIMEOUT": "3",
                    "LANGFUSE_TRACING_ENABLED": "false",
                    "LANGFUSE_DEBUG": "true",
                ]) { $1 })
            #expect(settings.configuration.environment == "staging-eu")
            #expect(settings.configuration.release == "v1.2.3")
            #expect(settings.configuration.timeout == .seconds(3))
            #expect(settings.sampleRate == 0.25)
            #expect(settings.export.maxBatchSize == 20)
            #expect(settings.export.interval == .milliseconds(500))
            #expect(!settings.isTracingEnabled && settings.isDebug)
            let tracer = settings.applied(to: TracerConfiguration())
            #expect(tracer.sampler == .parentBased(root: .traceIDRatio(0.25)))
            #expect(!tracer.isEnabled)
        }

        @Test func missingKeysAreNamed() {
            #expect(throws: LangfuseConfigurationError.missingKeys) { try LangfuseSettings(environment: [:]) }
            #expect(throws: LangfuseConfigurationError.missingKeys) {
                try LangfuseSettings(environment: ["LANGFUSE_PUBLIC_KEY": "pk-lf-1"])
            }
        }

        @Test(arguments: [
            ("pub-lf-1234", "sk-lf-secret-value-9999", "LANGFUSE_PUBLIC_KEY"),
            ("pk-lf-1234", "secret-value-9999", "LANGFUSE_SECRET_KEY"),
            ("pk-lf-1234", "pk-lf-secret-value-9999", "LANGFUSE_SECRET_KEY"),
        ])
        func badKeysAreNamedButNeverEchoed(_ publicKey: String, _ secretKey: String, _ variable: String) {
            #expect {
                try LangfuseSettings(environment: ["LANGFUSE_PUBLIC_KEY": publicKey, "LANGFUSE_SECRET_KEY": secretKey])
            } throws: { error in
                let text = "\(error)"
                return text.contains(variable) && !text.contains("secret-value")
            }
        }

        @Test(arguments: ["Production", "langfuse-internal", "prod env", String(repeating: "a", count: 41), "ünïcode"])
        func environmentsLangfuseWouldRewriteAreRefused(_ name: String) {
            #expect(throws: LangfuseConfigurationError.invalidEnvironment(name)) {
                try LangfuseSettings(environment: Self.keys.merging(["LANGFUSE_TRACING_ENVIRONMENT": name]) { $1 })
            }
        }

        @Test(arguments: [
            ("LANGFUSE_SAMPLE_RATE", "2"), ("LANGFUSE_SAMPLE_RATE", "half"), ("LANGFUSE_FLUSH_AT", "0"), ("LANGFUSE_FLUSH_AT", "1.5"),
            ("LANGFUSE_FLUSH_INTERVAL", "-1"), ("LANGFUSE_TIMEOUT", "soon"), ("LANGFUSE_TRACING_ENABLED", "maybe"), ("LANGFUSE_DEBUG", "yes please"),
            ("LANGFUSE_BASE_URL", "http://langfuse.internal:3000"), ("LANGFUSE_BASE_URL", "not a url"),
        ])
        func malformedValuesAreNamed(_ variable: String, _ value: String) {
            #expect {
                try LangfuseSettings(environment: Self.keys.merging([variable: value]) { $1 })
            } throws: { error in
                "\(error)".contains(variable)
            }
        }

        // MARK: Secrets in errors and descriptions

        /// The secret part of the keys below: what follows the public `sk-lf-` / `pk-lf-` prefix.
        static let secret = "Zq7xW9kPv3Lm"

        @Test(arguments: [
            ("pk-lf-1234", "Zq7xW9kPv3Lm", "LANGFUSE_SECRET_KEY"),  // no sk- prefix
            ("pk-lf-1234", "pk-lf-Zq7xW9kPv3Lm", "LANGFUSE_SECRET_KEY"),  // the public key's prefix
            ("pk-lf-1234", "sk-", "LANGFUSE_SECRET_KEY"),
            ("sk-lf-Zq7xW9kPv3Lm", "sk-lf-Zq7xW9kPv3Lm", "LANGFUSE_PUBLIC_KEY"),  // the secret given as the public key
            ("Zq7xW9kPv3Lm", "sk-lf-5678", "LANGFUSE_PUBLIC_KEY"),
        ])
        func badKeysNeverShowAnyPartOfTheSecret(_ publicKey: String, _ secretKey: String, _ variable: String) {
            do {
                _ = try LangfuseSettings(environment: ["LANGFUSE_PUBLIC_KEY": publicKey, "LANGFUSE_SECRET_KEY": secretKey])
                Issue.record("accepted the keys")
            } catch {
                for text in renderings(of: error) {
                    #expect(text.contains(variable), "\(text)")
                    #expect(secretLeaks(of: [Self.secret], in: text).isEmpty, "\(text)")
                    // Not even the first characters of a value that is not a public key.
                    #expect(!text.contains("Zq7"), "\(text)")
                }
            }
        }

        @Test func aSecretKeyGivenAsThePublicKeyIsCalledOut() {
            #expect {
                try LangfuseSettings(environment: ["LANGFUSE_PUBLIC_KEY": "sk-lf-Zq7xW9kPv3Lm", "LANGFUSE_SECRET_KEY": "sk-lf-Zq7xW9kPv3Lm"])
            } throws: { error in
                "\(error)".contains("the secret key was given as the public key")
            }
        }

        static let userinfo = ["u5erN4me", "Zq7xW9kPv3Lm"]

        @Test(
            arguments: ["LANGFUSE_BASE_URL", "LANGFUSE_HOST"],
            [
                "https://u5erN4me:Zq7xW9kPv3Lm@",
                "ftp://u5erN4me:Zq7xW9kPv3Lm@cloud.example",
                "u5erN4me:Zq7xW9kPv3Lm@cloud.example",
                "https://u5erN4me:Zq7x@W9kPv3Lm@%%bad",
                "http://u5erN4me:Zq7xW9kPv3Lm@langfuse.internal:3000",
            ])
        func malformedBaseURLsNameTheirVariableAndNeverEchoCredentials(_ variable: String, _ raw: String) {
            do {
                _ = try LangfuseSettings(environment: Self.keys.merging([variable: raw]) { $1 })
                Issue.record("accepted \(variable)")
            } catch {
                for text in renderings(of: error) {
                    #expect(text.contains(variable), "\(text)")
                    #expect(secretLeaks(of: Self.userinfo, in: text).isEmpty, "\(text)")
                }
            }
        }

        @Test(arguments: ["LANGFUSE_BASE_URL", "LANGFUSE_HOST"])
        func baseURLCredentialsAndTheSecretKeyNeverAppearInTheConfiguration(_ variable: String) throws {
            let configuration = try LangfuseSettings(environment: [
                "LANGFUSE_PUBLIC_KEY": "pk-lf-abcdef-1234",
                "LANGFUSE_SECRET_KEY": "sk-lf-" + Self.secret,
                variable: "https://u5erN4me:Pa55w0rdXy@langfuse.example/?token=QueryT0ken",
            ]).configuration
            let exporter = LangfuseExporter(configuration: configuration)
            let texts =
                renderings(of: configuration) + renderings(of: configuration.baseURL)
                + [String(describing: exporter), String(reflecting: exporter)]
            for text in texts {
                #expect(secretLeaks(of: [Self.secret, "u5erN4me", "Pa55w0rdXy", "QueryT0ken"], in: text).isEmpty, "\(text)")
            }
            #expect("\(configuration)".contains("pk-lf-…1234"))
            #expect("\(configuration)".contains("langfuse.example"))
        }

        @Test func descriptionMasksTheKeys() throws {
            let configuration = try LangfuseSettings(environment: Self.keys).configuration
            let text = "\(configuration)"
            #expect(text.contains("pk-lf-…1234"))
            #expect(text.contains("sk-lf-…"))
            #expect(!text.contains("5678"))  // not even the end of the secret
            #expect(!text.contains("very-secret"))
            #expect(!text.contains("abcdef"))
            let exporter = LangfuseExporter(configuration: configuration)
            #expect(!"\(exporter)".contains("very-secret"))
        }
    }
}
