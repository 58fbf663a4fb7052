import CFuzzerDriver
import Foundation

// One binary for every fuzz target, so CI builds once: TRACEZ_FUZZ_TARGET picks the
// parser, and every other argument goes to libFuzzer unchanged.
//
//     TRACEZ_FUZZ_TARGET=traceparent .build/debug/tracez-fuzz -max_total_time=20 corpus/
//     tracez-fuzz --list       prints the targets and their -max_len, one a line

if CommandLine.arguments.dropFirst().first == "--list" {
    for target in FuzzTarget.all { print(target.name, target.maxLength) }
    exit(0)
}

guard let name = getenv("TRACEZ_FUZZ_TARGET").map({ String(cString: $0) }), let target = FuzzTarget.named(name) else {
    let names = FuzzTarget.all.map(\.name).joined(separator: ", ")
    FileHandle.standardError.write(Data("set TRACEZ_FUZZ_TARGET to one of: \(names)\n".utf8))
    exit(2)
}

selected = target.run
var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in llvmFuzzerTestOneInput(data, size) })
