import Foundation
import Testing
import Tracez
import TracezHTTP
import TracezTestSupport

@testable import TracezLangfuse

extension LangfuseTests {
    /// What a failed fetch says, and what it never says.
    @Suite struct PromptErrorTests {
        /// The ends of the secret keys of the tests (`sk-lf-test-secret-5678`, `sk-lf-wrong-secret-9999`):
        /// what only a secret holds (not its documented prefix, which a masked key shows, nor the
        /// word "secret", which a description's labels show).
        static let secrets = ["et-5678", "et-9999"]

        /// Every rendering of the error, and every log line, free of any 4 characters of a secret.
        func expectNoSecret(in error: PromptError?, logs: CapturedLogs) {
            let texts = renderings(of: error as Any) + logs.lines.map(\.text)
            let leaks = texts.flatMap { secretLeaks(of: Self.secrets, in: $0) }
            #expect(leaks.isEmpty, "leaked pieces: \(Set(leaks).sorted().prefix(5))")
        }

        @Test func wrongKeysAre401WithTheServersMessage() async throws {
            let logs = CapturedLogs()
            let setup = try await PromptSetup.start(secretKey: "sk-lf-wrong-secret-9999", logger: logs.logger())
            let error = await #expect(throws: PromptError.self) { try await setup.prompts.chatPrompt(named: "support") }
            #expect(error?.code == .httpStatus && error?.status == 401)
            #expect(error?.description.contains("HTTP 401: Invalid credentials") == true, "\(String(describing: error).prefix(300))")
            expectNoSecret(in: error, logs: logs)
            try await setup.stop()
        }

        @Test func anUnknownPromptIs404() async throws {
            let logs = CapturedLogs()
            let setup = try await PromptSetup.start(logger: logs.logger())
            let error = await #expect(throws: PromptError.self) { try await setup.prompts.chatPrompt(named: "nope", label: "staging") }
            #expect(error?.code == .httpStatus && error?.status == 404 && error?.serverMessage == "Prompt not found")
            #expect(error?.description == "could not fetch Langfuse prompt 'nope' (label staging): HTTP 404: Prompt not found")
            expectNoSecret(in: error, logs: logs)
            try await setup.stop()
        }

        @Test func aServerErrorThatEchoesTheKeysNeverRepeatsThem() async throws {
            let logs = CapturedLogs()
            let setup = try await PromptSetup.start(logger: logs.logger())
            let credentials = Data("\(setup.server.publicKey):\(setup.server.secretKey)".utf8).base64EncodedString()
            let echo = "boom: key sk-lf-test-secret-5678, header Basic \(credentials), " + String(repeating: "x", count: 5_000)
            setup.server.failPrompts(with: .status(500, body: "{\"message\":\"\(echo)\"}"))
            let error = await #expect(throws: PromptError.self) { try await setup.prompts.chatPrompt(named: "support") }
            #expect(error?.status == 500)
            #expect((error?.serverMessage?.count ?? 0) <= 201)
            #expect(!(error?.description.contains(credentials) ?? true))
            expectNoSecret(in: error, logs: logs)
            try await setup.stop()
        }

        @Test func aHangingServerIsATimeout() async throws {
            let logs = CapturedLogs()
            let setup = try await PromptSetup.start(timeout: .milliseconds(300), logger: logs.logger())
            setup.server.failPrompts(with: .hang)
            let error = await #expect(throws: PromptError.self) { try await setup.prompts.chatPrompt(named: "support") }
            #expect(error?.code == .unreachable && error?.transportError?.code == .timedOut)
            // With a fallback, the same failure is the fallback.
            #expect(try await setup.prompts.chatPrompt(named: "support", fallback: [.user("hi")]).isFallback)
            expectNoSecret(in: error, logs: logs)
            setup.server.failPrompts(with: nil)
            try await setup.stop()
        }

        @Test func anUnreachableServerIsAConnectionFailure() async throws {
            let setup = try await PromptSetup.start()
            try await setup.server.stop()
            let error = await #expect(throws: PromptError.self) { try await setup.prompts.textPrompt(named: "summary") }
            #expect(error?.code == .unreachable && error?.transportError?.code == .connectionFailed)
            await setup.prompts.shutdown()
        }

        @Test func anAnswerThatIsNotAPromptSaysWhichFieldFailed() async throws {
            let setup = try await PromptSetup.start()
            setup.server.failPrompts(with: .status(200, headers: [("Content-Type", "application/json")], body: #"{"name":"support","prompt":"x"}"#))
            let error = await #expect(throws: PromptError.self) { try await setup.prompts.chatPrompt(named: "support") }
            #expect(error?.code == .invalidResponse && error?.reason == "no 'version' field")
            setup.server.failPrompts(with: nil)
            try await setup.stop()
        }

        @Test func thePromptsClientNeverShowsItsKeys() async throws {
            let setup = try await PromptSetup.start()
            let texts = renderings(of: setup.prompts)
            #expect(texts.flatMap { secretLeaks(of: Self.secrets, in: $0) }.isEmpty, "\(texts[0])")
            // Nor the Authorization header made of them.
            let credentials = Data("\(setup.server.publicKey):\(setup.server.secretKey)".utf8).base64EncodedString()
            #expect(!texts.contains { $0.contains(credentials) })
            #expect(texts[0].contains("pk-lf-…1234"))
            try await setup.stop()
        }

        @Test func eachKindOfFailureIsLoggedOnceAsAWarning() async throws {
            let logs = CapturedLogs()
            let setup = try await PromptSetup.start(logger: logs.logger())
            setup.server.failPrompts(with: .status(500))
            for _ in 0..<3 { _ = try await setup.prompts.chatPrompt(named: "support", fallback: []) }
            setup.server.failPrompts(with: nil)
            for _ in 0..<2 { _ = try await setup.prompts.chatPrompt(named: "missing", fallback: []) }
            let warnings = logs.lines.filter { $0.level == .warning }
            #expect(warnings.count == 2, "\(warnings.map(\.text).joined(separator: "\n").prefix(1000))")
            #expect(logs.lines.filter { $0.level == .debug }.count == 3)
            try await setup.stop()
        }
    }
}
