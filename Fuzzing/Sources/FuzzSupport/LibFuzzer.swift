// libFuzzer's driver, started from each fuzz target's main.swift rather than from libFuzzer's
// own `main`: SwiftPM links an executable's `main` from its main.swift, and builds the root
// package's plugin tool with the same flags, so `-parse-as-library` (which libFuzzer's `main`
// would need) cannot be given. libFuzzer's flags are the process's arguments.

import Glibc

@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt

/// Runs libFuzzer with `test` (the target's `LLVMFuzzerTestOneInput`), then exits with its status.
public func runLibFuzzer(_ test: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> Never {
    var argc = CommandLine.argc
    var argv = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv, test))
}
