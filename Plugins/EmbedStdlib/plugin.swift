// EmbedStdlib: a build-tool plugin that turns stdlib/*.dun, its modules (stdlib/modules/*.dun,
// each named modules/NAME.dun) and the default message templates,
// stdlib/templates/*.mustache, into Swift source of the Dun target, so that a `dun` binary
// copied anywhere keeps its standard library.

import Foundation
import PackagePlugin

@main
struct EmbedStdlib: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let folder = context.package.directoryURL.appending(path: "stdlib")
        func files(in folder: URL, _ suffix: String) throws -> [URL] {
            try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
                .filter { $0.pathExtension == suffix }
                .sorted { $0.lastPathComponent < $1.lastPathComponent }
        }
        let files =
            try files(in: folder, "dun") + files(in: folder.appending(path: "modules"), "dun")
            + files(in: folder.appending(path: "templates"), "mustache")
        let output = context.pluginWorkDirectoryURL.appending(path: "StandardLibrary.swift")
        return [
            .buildCommand(
                displayName: "Embedding stdlib/*.dun and stdlib/templates/*.mustache",
                executable: try context.tool(named: "embed-stdlib").url,
                arguments: [output.path] + files.map(\.path),
                inputFiles: files,
                outputFiles: [output])
        ]
    }
}
