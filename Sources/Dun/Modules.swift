// Modules: `import "lib/kpi.dun"`, `import aging` (a module of the standard library), and
// `from MODULE import a, b` — each module run once in the session, its names qualified.

import DunCore
import DunLanguage
import Foundation

extension Session {
    /// Runs the module `i` names, once, with its names qualified by its name (`as NAME`, else
    /// the file's or the module's name); `from … import a, b` makes those unqualified too.
    func load(_ i: Import, from importer: SourceText) -> [Diagnostic] {
        let key: String
        let name: String
        let file: SourceText
        switch i.module {
        case .standard(let n):
            guard let found = Session.standardModules.first(where: { $0.name == "stdlib/modules/\(n).dun" }) else {
                let names = Session.standardModules.map {
                    URL(fileURLWithPath: $0.name).deletingPathExtension().lastPathComponent
                }
                return [
                    importer.diagnostic(
                        "no module '\(n)' in the standard library", at: i.range,
                        hint: nearestName(to: n, in: names).map { "did you mean '\($0)'?" }
                            ?? "its modules: \(names.joined(separator: ", ")); a file of your own is imported in quotes: import \"lib/\(n).dun\""
                    )
                ]
            }
            (key, name, file) = ("stdlib:\(n)", n, found)
        case .file(let path):
            // Relative to the importing file's folder, else to the current one.
            var isFolder: ObjCBool = false
            let importerIsFile =
                FileManager.default.fileExists(atPath: importer.name, isDirectory: &isFolder) && !isFolder.boolValue
            let base =
                importerIsFile ? URL(fileURLWithPath: importer.name).deletingLastPathComponent() : URL(fileURLWithPath: ".")
            let url = (path.hasPrefix("/") ? URL(fileURLWithPath: path) : base.appendingPathComponent(path)).standardizedFileURL
            guard let data = FileManager.default.contents(atPath: url.path) else {
                return [importer.diagnostic("cannot import '\(path)': no such file (\(url.path))", at: i.range)]
            }
            guard let text = String(data: data, encoding: .utf8) else {
                return [importer.diagnostic("cannot import '\(path)': it is not UTF-8", at: i.range, hint: "save it as UTF-8")]
            }
            let stem = url.deletingPathExtension().lastPathComponent
            (key, name, file) = (url.path, stem, SourceText(name: importerIsFile ? url.path : path, text: text))
        }
        let qualifier = i.alias ?? name
        if Receivables.schema.entity(named: qualifier) != nil || Builtin.named(qualifier) != nil || qualifier == "today" {
            return [
                importer.diagnostic(
                    "'\(qualifier)' is a built-in name, which would hide the module's", at: i.range,
                    hint: "import it as another name: import \"…\" as my_\(qualifier)")
            ]
        }
        guard qualifier.first.map({ $0.isLetter || $0 == "_" }) == true,
            qualifier.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" })
        else {
            return [
                importer.diagnostic(
                    "'\(qualifier)' cannot qualify names", at: i.range, hint: "import it as a name: import \"…\" as kpi")
            ]
        }
        if importing.contains(key) {
            let cycle = (importing.drop { $0 != key } + [key]).map { URL(fileURLWithPath: $0).lastPathComponent }
            return [importer.diagnostic("an import cycle: \(cycle.joined(separator: " → "))", at: i.range)]
        }
        if imported[key] != qualifier {
            importing.append(key)
            defer { importing.removeLast() }
            let result = run(file, lazily: true, definitionsOnly: true, module: qualifier)
            guard result.diagnostics.isEmpty else {
                let at = "imported at \(importer.name):\(importer.position(of: i.range).line)"
                return result.diagnostics.map {
                    var d = $0; d.notes.append(at); return d
                }
            }
            imported[key] = qualifier
            globals.define(module: qualifier)
        }
        return i.names.compactMap { n, range in
            globals.alias(n, to: "\(qualifier).\(n)")
                ? nil
                : importer.diagnostic(
                    "module \(qualifier) has no '\(n)'", at: range,
                    hint: nearestName(to: n, in: globals.names(of: qualifier)).map { "did you mean '\($0)'?" }
                        ?? "it has: \(globals.names(of: qualifier).joined(separator: ", "))")
        }
    }
}
