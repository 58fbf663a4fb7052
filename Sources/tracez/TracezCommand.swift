import ArgumentParser

@main
struct TracezCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tracez",
        abstract: "Tracez: tracing for Swift services, exported to stdout, OpenTelemetry collectors and Langfuse.",
        subcommands: [DemoCommand.self, SizeCommand.self]
    )
}
