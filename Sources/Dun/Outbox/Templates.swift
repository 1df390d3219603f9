// Templates: the text of a reminder, from a Mustache template chosen by name and language.
//
// A template's first line is `Subject: …`, then a blank line, then the body. The defaults
// (gentle, firm, final; in English and Chinese) are built into the binary from
// stdlib/templates/; a workspace overrides any of them with `templates/NAME.LANG.mustache`.

import DunCore
import Foundation
import Mustache

/// A template read and parsed: its subject line and its body.
struct MessageTemplate {
    /// Where it came from, as diagnostics name it (`templates/gentle.zh.mustache`).
    var file: String
    var subject: MustacheTemplate
    var body: MustacheTemplate

    /// Messages are plain text: nothing is escaped as HTML would be (`&` stays `&`).
    private static let plainText = "{{% CONTENT_TYPE: TEXT}}\n"

    init(file: String, text: String) throws(Diagnostic) {
        self.file = file
        let source = SourceText(name: file, text: text)
        let lines = text.split(separator: "\n", maxSplits: 2, omittingEmptySubsequences: false)
        let first = lines.first.map { $0.hasSuffix("\r") ? $0.dropLast() : $0 } ?? ""
        guard first.hasPrefix("Subject:") else {
            throw source.diagnostic(
                "a template begins with its subject line", at: 0..<first.utf8.count,
                hint: "write `Subject: …` on the first line, then a blank line, then the body")
        }
        guard lines.count == 3, lines[1].allSatisfy(\.isWhitespace) else {
            throw source.diagnostic(
                "the subject line is followed by a blank line, then the body", at: first.utf8.count..<first.utf8.count + 1)
        }
        subject = try MessageTemplate.parse(String(first.dropFirst("Subject:".count)), source, line: 1, column: 9)
        body = try MessageTemplate.parse(String(lines[2]), source, line: 3, column: 1)
    }

    /// `text` parsed, its errors placed at `line` and `column` of the file where it starts.
    private static func parse(_ text: String, _ source: SourceText, line: Int, column: Int) throws(Diagnostic) -> MustacheTemplate
    {
        do {
            return try MustacheTemplate(string: plainText + text)
        } catch let error as MustacheTemplate.ParserError {
            // The context counts the plain-text line we put first.
            let l = line + max(1, error.context.lineNumber - 1) - 1
            let c = (l == line ? column - 1 : 0) + max(1, error.context.columnNumber)
            let lineText = source.text.split(separator: "\n", omittingEmptySubsequences: false).dropFirst(l - 1).first ?? ""
            throw Diagnostic(
                .error, "the template does not parse: \(error.error)", file: source.name,
                position: Position(line: l, column: c, lineText: String(lineText), length: 1))
        } catch {
            throw Diagnostic(.error, "the template does not parse: \(error)", file: source.name)
        }
    }

    /// The subject (on one line) and the body, for `context`.
    func render(_ context: Fields) -> (subject: String, body: String) {
        let subject = self.subject.render(context).trimmingWhitespace()
        return (subject, body.render(context))
    }
}

/// What a template sees: values (text, numbers, lists of `Fields`) by name. A type of its own
/// rather than a `[String: Any]`, whose conformance to `MustacheParent` is conditional: the
/// renderer asks each object it looks a name up in for its conformances.
struct Fields: MustacheParent {
    private let values: [String: Any]

    init(_ values: [String: Any]) {
        self.values = values
    }

    func child(named name: String) -> Any? {
        guard let deferred = values[name] as? Deferred else { return values[name] }
        return deferred.value
    }
}

/// A value computed only when a template asks for it (a customer's statement runs a query);
/// what went wrong is kept for the delivery to report.
final class Deferred {
    /// The value, or why there is none.
    private let make: () -> (value: Any?, problem: String?)
    private var made: (value: Any?, problem: String?)?

    init(_ make: @escaping () -> (value: Any?, problem: String?)) {
        self.make = make
    }

    var value: Any? {
        if made == nil { made = make() }
        return made?.value
    }

    /// Why it could not be made, once asked for.
    var problem: String? { made?.problem }
}

/// A text a template shows. Handed to the renderer as what it renders directly: a bare
/// `String` it would first ask whether it is an optional, a template or a lambda, then print
/// through `String(describing:)`. Transforms (`{{uppercased(name)}}`) work on it as on text.
struct TemplateText: MustacheCustomRenderable, MustacheTransformable {
    let renderText: String
    var isNull: Bool { false }

    init(_ text: String) {
        renderText = text
    }

    func transform(_ name: String) -> Any? {
        renderText.transform(name)
    }
}

/// The templates of one workspace: its own `templates/` first, then the built-in ones.
///
/// A template is found by its file name among the files that exist — the built-in ones and
/// those listed in `templates/` — and never by a path put together from a name or a language:
/// both can come from data (a customer's `language` column), and data must not name a file.
struct Templates {
    let directory: String
    /// The workspace's own template files, by name (`gentle.zh.mustache`), listed once.
    private let own: Set<String>
    /// Read once per name and language.
    private var cache: [String: Result<MessageTemplate, Diagnostic>] = [:]

    init(directory: String) {
        self.directory = directory
        own = Templates.files(in: directory)
    }

    /// The built-in templates, by file name (`gentle.en.mustache`).
    static let builtIn: [String: String] = Dictionary(
        StandardLibrary.files.filter { $0.name.hasSuffix(".mustache") }.map { ($0.name, $0.text) },
        uniquingKeysWith: { a, _ in a })

    /// The names of the `.mustache` files in the workspace's `templates/` folder.
    private static func files(in directory: String?) -> Set<String> {
        guard let directory else { return [] }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory + "/templates")) ?? []
        return Set(names.filter { $0.hasSuffix(".mustache") })
    }

    /// The language of a customer: its `language` column, else the workspace's `language` in
    /// dun.toml, else its region's (Chinese for a region written in Chinese characters or one of
    /// CN, HK, TW, China, Hong Kong, Taiwan), else English. `zh-CN` and `zh_Hans` count as `zh`;
    /// a value that is not a language code (letters only) counts as none.
    static func language(customer: String?, workspace: String?, region: String?) -> String {
        for given in [customer, workspace] {
            if let code = given.map(normalize), !code.isEmpty { return code }
        }
        guard let region = region?.trimmingWhitespace(), !region.isEmpty else { return "en" }
        if region.unicodeScalars.contains(where: { (0x4E00...0x9FFF).contains($0.value) }) { return "zh" }
        return ["cn", "hk", "tw", "china", "hong kong", "taiwan"].contains(region.lowercased()) ? "zh" : "en"
    }

    private static func normalize(_ language: String) -> String {
        let code = language.trimmingWhitespace().lowercased().prefix { $0 != "-" && $0 != "_" }
        return code.count <= 8 && code.allSatisfy({ $0.isASCII && $0.isLetter }) ? String(code) : ""
    }

    /// The template `name` in `language`, else in English: the workspace's file, else the built-in one.
    mutating func template(_ name: String, language: String) throws(Diagnostic) -> MessageTemplate {
        let key = "\(name).\(language)"
        if let known = cache[key] { return try known.get() }
        let result = Result { () throws(Diagnostic) in try find(name, language: language) }
        cache[key] = result
        return try result.get()
    }

    private func find(_ name: String, language: String) throws(Diagnostic) -> MessageTemplate {
        for lang in language == "en" ? ["en"] : [language, "en"] {
            let file = "\(name).\(lang).mustache"
            if own.contains(file) {
                let path = URL(fileURLWithPath: directory).appendingPathComponent("templates").appendingPathComponent(file).path
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw Diagnostic(.error, "cannot read the template", file: "templates/\(file)")
                }
                guard let text = String(data: data, encoding: .utf8) else {
                    throw Diagnostic(.error, "the template is not UTF-8", file: "templates/\(file)", hint: "save it as UTF-8")
                }
                return try MessageTemplate(file: "templates/\(file)", text: text)
            }
            if let text = Templates.builtIn[file] { return try MessageTemplate(file: "stdlib/templates/\(file)", text: text) }
        }
        throw Templates.unknown(name)
    }

    /// Whether a template of that name is built in, or in the workspace in `directory` in any
    /// language: what a plan checks before an apply would fail on it.
    static func exists(_ name: String, in directory: String?) -> Bool {
        let files = Set(builtIn.keys).union(Templates.files(in: directory))
        return files.contains { $0.hasPrefix(name + ".") && $0.dropFirst(name.count + 1).split(separator: ".").count == 2 }
    }

    static func unknown(_ name: String) -> Diagnostic {
        Diagnostic(
            .error, "there is no template \"\(name)\"",
            hint: "the built-in templates are gentle, firm and final; a workspace adds its own as templates/\(name).LANG.mustache"
        )
    }
}
