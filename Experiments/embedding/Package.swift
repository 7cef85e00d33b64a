// swift-tools-version: 6.0
// A package outside precsearch that depends on it by path, as an application would: it builds the README's
// embedding example (Sources/EmbeddingExample/main.swift, the README's code block verbatim) against the library
// products. run.sh builds and runs it on the front the README's main command writes.
import PackageDescription

let package = Package(
  name: "embedding",
  dependencies: [.package(name: "precsearch", path: "../..")],
  targets: [
    .executableTarget(
      name: "EmbeddingExample",
      dependencies: [
        .product(name: "NetworkEngine", package: "precsearch"),
        .product(name: "PrecSearchFormats", package: "precsearch"),
        .product(name: "PrecisionRuntime", package: "precsearch"),
      ]),
  ]
)
