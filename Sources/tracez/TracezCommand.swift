import ArgumentParser
import Tracez

@main
struct TracezCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tracez",
        abstract: "Tracez: tracing for Swift services, exported to stdout, OpenTelemetry collectors and Langfuse.",
        version: TracezVersion.current,
        subcommands: [DemoCommand.self, SizeCommand.self]
    )
}
