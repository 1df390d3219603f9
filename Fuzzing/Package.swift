// swift-tools-version: 6.0
// Dun's fuzz targets: a package of their own, so that the root package's `swift build` and
// `swift test` never build them. Built and run by Benchmarks/fuzz (see README.md, Fuzzing),
// with -sanitize=fuzzer: each main.swift starts libFuzzer, which calls LLVMFuzzerTestOneInput.
import PackageDescription

let package = Package(
    name: "DunFuzzing",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "Dun", path: "..")],
    targets: [
        // Input bytes as a script: lexed, parsed, checked and run on a small workspace.
        .executableTarget(name: "fuzz-script", dependencies: ["FuzzSupport", .product(name: "Dun", package: "Dun")]),
        // Input bytes as one or all of a workspace's CSV files, loaded from a temporary folder.
        .executableTarget(name: "fuzz-loader", dependencies: ["FuzzSupport", .product(name: "Dun", package: "Dun")]),
        // Starts libFuzzer's driver from a target's main.swift; what every diagnostic must be.
        .target(name: "FuzzSupport", dependencies: [.product(name: "Dun", package: "Dun")]),
    ],
    swiftLanguageModes: [.v6]
)
