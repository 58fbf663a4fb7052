/// The harness main.swift chose. libFuzzer's callback is a C function pointer and cannot
/// capture, so it reads the harness from here; set once, before fuzzing starts.
nonisolated(unsafe) var selected: @Sendable ([UInt8]) -> Void = { _ in }

/// libFuzzer's usual entry point, and the callback main.swift gives LLVMFuzzerRunDriver.
/// The fuzzer runtime's own (unused) `main` refers to it, so the program does not link without it.
@_cdecl("LLVMFuzzerTestOneInput")
func llvmFuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    selected(size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
