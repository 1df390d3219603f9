// Entry point: parses the command line and maps every failure to Dun's exit statuses.

import ArgumentParser
import Foundation

@main
enum EntryPoint {
    static func main() {
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
