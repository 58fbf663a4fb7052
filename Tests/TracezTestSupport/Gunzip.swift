import Foundation

/// Decompresses a gzip body with the system's `gzip -dc`: a decompressor we did not write,
/// so a test of our gzip output does not trust our own zlib calls twice.
///
/// - Throws: ``GunzipFailed`` when gzip exits with an error (not gzip data, truncated).
public func gunzip(_ bytes: [UInt8]) throws -> [UInt8] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["gzip", "-dc"]
    let input = Pipe()
    let output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    // Write on another thread: gzip's output pipe could fill while we are still writing.
    let writer = Thread {
        input.fileHandleForWriting.write(Data(bytes))
        try? input.fileHandleForWriting.close()
    }
    writer.start()
    let result = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw GunzipFailed(status: process.terminationStatus) }
    return Array(result)
}

/// `gzip -dc` refused the input.
public struct GunzipFailed: Error, CustomStringConvertible {
    public let status: Int32
    public var description: String { "gzip -dc exited with status \(status)" }
}
