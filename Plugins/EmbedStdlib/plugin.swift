// EmbedStdlib: a build-tool plugin that turns stdlib/*.dun into Swift source of the Dun
// target, so that a `dun` binary copied anywhere keeps its standard library.

import Foundation
import PackagePlugin

@main
struct EmbedStdlib: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let folder = context.package.directoryURL.appending(path: "stdlib")
        let files = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "dun" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        let output = context.pluginWorkDirectoryURL.appending(path: "StandardLibrary.swift")
        return [
            .buildCommand(
                displayName: "Embedding stdlib/*.dun",
                executable: try context.tool(named: "embed-stdlib").url,
                arguments: [output.path] + files.map(\.path),
                inputFiles: files,
                outputFiles: [output])
        ]
    }
}
