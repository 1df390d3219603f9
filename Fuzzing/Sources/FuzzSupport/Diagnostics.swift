// What the fuzz targets ask of every diagnostic, as the robustness tests do.

import DunCore

/// What is wrong with `d`, if anything: a diagnostic needs a message, and a position with a
/// line and a column of at least 1. It is rendered too: rendering indexes the source line by
/// the column, which must not trap either.
public func malformation(of d: Diagnostic) -> String? {
    if d.message.isEmpty { return "a diagnostic without a message: \(d)" }
    if let p = d.position, p.line < 1 || p.column < 1 {
        return "diagnostic '\(d.message)' at line \(p.line), column \(p.column)"
    }
    _ = d.rendered
    return nil
}
