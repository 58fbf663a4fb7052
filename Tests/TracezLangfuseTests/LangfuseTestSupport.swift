import Testing
@testable import TracezLangfuse
