// swift-tools-version: 6.0
// Dun: a query-and-policy language for accounts-receivable collection.
import PackageDescription

let package = Package(
    name: "Dun",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "dun", targets: ["dun"]),
        .library(name: "Dun", targets: ["Dun"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // Mustache for the reminder templates (issue 5 names it); small, pure Swift, no other dependencies.
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        // dun.toml is real TOML (issue 18): toml++ through TOMLKit, the one TOML package mirrored
        // here. Its C++ costs about 24 s of a clean debug build on 2 cores (35 s of CPU), built
        // beside our own targets; Benchmarks/README.md keeps the measurement.
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        // Excel workbooks (.xlsx) are ZIP archives of XML parts: ZIPFoundation reads and writes the
        // archive (with the system's zlib); the parts are read by DunModel/Excel/XMLBytes.swift.
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
    ],
    targets: [
        // Exact money, calendar days, grades, diagnostics: shared by the model and the language.
        .target(name: "DunCore", dependencies: ["CSystem"]),
        // The receivables model, its CSV loader and dun.toml's mapping; knows nothing of the language.
        .target(
            name: "DunModel",
            dependencies: ["DunCore", "CPostgreSQL", .product(name: "TOMLKit", package: "TOMLKit"), "ZIPFoundation"]),
        // Lexer, parser, checker, interpreter; knows nothing of files, terminals or invoices.
        .target(name: "DunLanguage", dependencies: ["DunCore"]),
        // The bridge: the model bound into the language, sessions, output formats, the stdlib.
        .target(
            name: "Dun",
            dependencies: [
                "DunCore", "DunModel", "DunLanguage", "CSQLite", "CSystem", .product(name: "Mustache", package: "swift-mustache"),
            ],
            plugins: ["EmbedStdlib"]),
        // Builds stdlib/*.dun into the Dun target, so that a copied binary keeps it.
        .plugin(name: "EmbedStdlib", capability: .buildTool(), dependencies: ["embed-stdlib"]),
        .executableTarget(name: "embed-stdlib", path: "Plugins/EmbedStdlibTool"),
        // A C header, no library: the processor's prefetch hint, for loops that read memory in no
        // order; and Linux's syncfs, for the outbox's thousands of files made durable at once.
        .systemLibrary(name: "CSystem"),
        // The system's GNU readline (libreadline-dev), for the REPL's line editing and history.
        .systemLibrary(name: "CReadline"),
        // The system's SQLite (libsqlite3-dev), for the workspace journal in .dun/journal.sqlite.
        .systemLibrary(name: "CSQLite"),
        // The system's libpq (libpq-dev), PostgreSQL's client, for a workspace whose tables are in
        // a database (`[source] url`). A C library the system has, so nothing is built for it.
        .systemLibrary(name: "CPostgreSQL", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        // The command line: argument parsing, and the REPL's terminal (readline, history, signals).
        .executableTarget(
            name: "dun",
            dependencies: ["Dun", "DunModel", "CReadline", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // Synthetic workspaces of any size, for the benchmark (Benchmarks/README.md).
        .executableTarget(
            name: "generate-workspace",
            dependencies: ["DunCore", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Benchmarks/GenerateWorkspace"
        ),
        .testTarget(name: "DunCoreTests", dependencies: ["DunCore"]),
        .testTarget(name: "DunModelTests", dependencies: ["DunModel"]),
        .testTarget(name: "DunLanguageTests", dependencies: ["DunLanguage"]),
        .testTarget(
            name: "DunTests",
            dependencies: ["Dun"],
            exclude: ["golden", "fixtures", "catalogue", "examples", "mappings", "charts"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
