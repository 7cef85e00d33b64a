// swift-tools-version: 6.0
// precsearch: energy-scalable ConvNets on a bit-exact fixed-point multi-precision engine.
// No package dependencies: toolchain, Foundation and XCTest / Swift Testing only.
import PackageDescription

/// Release builds target this machine's CPU so that integer and float loops vectorize
/// (without a CPU target, SIMD code compiles to library calls). Debug builds stay portable.
let releaseCPU: [SwiftSetting] = [
  .unsafeFlags(["-Xcc", "-march=native", "-Xcc", "-mprefer-vector-width=512"], .when(configuration: .release))
]

let package = Package(
  name: "precsearch",
  products: [
    .executable(name: "precsearch", targets: ["precsearch"]),
    .executable(name: "precsearch-bench", targets: ["precsearch-bench"]),
    .library(name: "NetworkEngine", targets: ["NetworkEngine"]),
    // What an application links to switch precision at run time (docs/runtime.md).
    .library(name: "PrecisionRuntime", targets: ["PrecisionRuntime"]),
  ],
  targets: [
    // Pure integer arithmetic: rounding shifts, saturation, dynamic fixed-point formats. Stdlib only.
    .target(name: "FixedPointArithmetic", swiftSettings: releaseCPU),
    // The 8-bit dot-product GEMM (AVX-512 VNNI intrinsics with a run-time CPU check), called by NetworkEngine.
    .target(name: "CInt8Kernels"),
    // ConvNet IR, shape inference, float reference and integer kernels, execution plans. Stdlib only.
    .target(name: "NetworkEngine", dependencies: ["FixedPointArithmetic", "CInt8Kernels"], swiftSettings: releaseCPU),
    // Float training: backward passes, optimizers, schedules, augmentation, the training loop. Stdlib only.
    .target(name: "NetworkTraining", dependencies: ["NetworkEngine"], swiftSettings: releaseCPU),
    // Energy = operation counts x a versioned price table; calibration by NNLS. Stdlib only.
    .target(name: "EnergyModel", swiftSettings: releaseCPU),
    // Generic multi-objective search (RNG, dominance, NSGA-II, SA, hypervolume). Knows nothing of networks.
    .target(name: "MultiObjectiveSearch", swiftSettings: releaseCPU),
    // The precision-search glue: per-layer precisions as a search problem, energy workloads of a network.
    .target(name: "PrecisionSearch", dependencies: ["NetworkEngine", "EnergyModel", "MultiObjectiveSearch"], swiftSettings: releaseCPU),
    // Audio front-end for keyword spotting: resampling and MFCC features. Stdlib only.
    .target(name: "AudioFeatures", swiftSettings: releaseCPU),
    // Run-time precision switching: operating points from one 16-bit master, the energy governor. Stdlib only.
    .target(name: "PrecisionRuntime", dependencies: ["NetworkEngine", "EnergyModel"], swiftSettings: releaseCPU),
    // The only library module that touches Foundation: model files, data sets, JSON documents.
    .target(name: "PrecSearchIO", dependencies: ["NetworkEngine", "EnergyModel", "NetworkTraining", "PrecisionSearch", "AudioFeatures", "PrecisionRuntime"],
            // The shipped models (`--model fashion`) and Fashion-MNIST's validation and test splits (ModelCatalog).
            resources: [.copy("Resources/ShippedModels")], swiftSettings: releaseCPU),
    // Command library, testable in-process.
    .target(name: "PrecSearchCLI", dependencies: ["PrecSearchIO", "NetworkEngine", "EnergyModel", "MultiObjectiveSearch", "PrecisionSearch", "NetworkTraining", "AudioFeatures", "PrecisionRuntime"], swiftSettings: releaseCPU),
    .executableTarget(name: "precsearch", dependencies: ["PrecSearchCLI"], swiftSettings: releaseCPU),
    .executableTarget(name: "precsearch-bench", dependencies: ["NetworkEngine", "PrecSearchIO", "PrecisionSearch", "PrecisionRuntime"], swiftSettings: releaseCPU),

    .testTarget(name: "FixedPointArithmeticTests", dependencies: ["FixedPointArithmetic"]),
    .testTarget(name: "NetworkEngineTests", dependencies: ["NetworkEngine", "FixedPointArithmetic"]),
    .testTarget(name: "NetworkTrainingTests", dependencies: ["NetworkTraining", "NetworkEngine"]),
    .testTarget(name: "EnergyModelTests", dependencies: ["EnergyModel"]),
    .testTarget(name: "MultiObjectiveSearchTests", dependencies: ["MultiObjectiveSearch"]),
    .testTarget(name: "PrecisionSearchTests", dependencies: ["PrecisionSearch", "NetworkEngine", "EnergyModel", "MultiObjectiveSearch"]),
    .testTarget(name: "AudioFeaturesTests", dependencies: ["AudioFeatures"], exclude: ["Fixtures"]),
    .testTarget(name: "PrecisionRuntimeTests", dependencies: ["PrecisionRuntime", "NetworkEngine", "EnergyModel"]),
    .testTarget(name: "PrecSearchIOTests", dependencies: ["PrecSearchIO", "NetworkEngine"]),
    .testTarget(name: "PrecSearchCLITests", dependencies: ["PrecSearchCLI", "precsearch", "PrecSearchIO", "NetworkEngine"]),
    .target(name: "ModelImport", dependencies: ["NetworkEngine"]),
    .testTarget(name: "ModelImportTests", dependencies: ["ModelImport", "NetworkEngine"], resources: [.copy("Fixtures")]),
  ]
)
