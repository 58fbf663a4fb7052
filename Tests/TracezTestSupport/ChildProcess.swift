import Foundation

/// Runs the suites matching `filter` of this very test binary again, in a child process with
/// `environment` added, and returns its exit status and everything it printed.
///
/// For a test that must not share its process: a resident-memory measurement that other
/// suites would disturb, or a check that something holds across processes (each has its own
/// hash seed). The child finds the variables in its environment and does the work; the parent
/// reads the result from the output.
public func runTestsInChildProcess(filter: String, environment: [String: String]) throws -> (status: Int32, output: String) {
    let child = Process()
    child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
    child.arguments = ["--testing-library", "swift-testing", "--filter", filter]
    child.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
    let output = Pipe()
    child.standardOutput = output
    child.standardError = output
    try child.run()
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    child.waitUntilExit()
    return (child.terminationStatus, text)
}

/// Writes `name=value` on a line of its own to standard output, unbuffered, for the parent of
/// ``runTestsInChildProcess(filter:environment:)`` to read with ``reported(_:in:)``.
public func report(_ name: String, _ value: String) {
    FileHandle.standardOutput.write(Data("\(name)=\(value)\n".utf8))
}

/// Every value reported under `name` in `output`.
public func reported(_ name: String, in output: String) -> [String] {
    output.split(separator: "\n").compactMap { line in
        guard let range = line.range(of: "\(name)=") else { return nil }
        return String(line[range.upperBound...]).trimmingCharacters(in: .whitespaces)
    }
}
