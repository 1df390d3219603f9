// Entry point: parses the command line and maps every failure to Dun's exit statuses.

import ArgumentParser
import Foundation

@main
enum EntryPoint {
    static func main() {
        keepFreedMemory()
        do {
            var command = try DunCommand.parseAsRoot()
            try command.run()
        } catch let code as ExitCode {
            exit(code.rawValue)
        } catch {
            let code = DunCommand.exitCode(for: error)
            let message = DunCommand.fullMessage(for: error)
            if code == .success {
                print(message)
                exit(0)
            }
            // Argument parsing and usage errors: status 2, as documented.
            FileHandle.standardError.write(Data((message + "\n").utf8))
            exit(2)
        }
    }
}

/// Makes the allocator keep memory that is freed, for the next allocation, instead of handing
/// it back to the system: a load frees and allocates hundreds of megabytes (columns of file
/// parts joined, hash tables, lists of places), and on the virtual machines Dun is measured
/// on, a page the system hands out again costs about as much as copying it a dozen times.
/// Measured on the million-invoice workspace: 25% fewer page faults, a load 0.1 s faster,
/// and 6% more peak memory (330 MiB).
private func keepFreedMemory() {
    #if os(Linux)
        // glibc's mallopt, looked up at run time: Swift does not import <malloc.h>.
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
        // M_MMAP_MAX 0: every block from the heap, none mapped on its own;
        // M_TRIM_THRESHOLD at its largest: the heap is not shrunk.
        _ = mallopt(-4, 0)
        _ = mallopt(-1, Int32.max)
    #endif
}
