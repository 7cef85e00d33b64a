// swift-tools-version: 6.0
// precsearch: energy-scalable ConvNets on a bit-exact fixed-point multi-precision engine.
// No package dependencies: toolchain, Foundation and XCTest / Swift Testing only.
import PackageDescription

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
    .target(name: "FixedPointArithmetic"),
    // The kernels' inner loops in C (blocked GEMM, depthwise lanes, requantization, the AVX-512 VNNI 8-bit GEMM),
    // each compiled for several instruction sets and chosen at run time by CPU feature (no compile flags).
    .target(name: "CKernels"),
    // ConvNet IR, shape inference, float reference and integer kernels, execution plans. Stdlib only.
    .target(name: "NetworkEngine", dependencies: ["FixedPointArithmetic", "CKernels"]),
    // Float training: backward passes, optimizers, schedules, augmentation, the training loop. Stdlib only.
    .target(name: "NetworkTraining", dependencies: ["NetworkEngine", "CKernels"]),
    // Energy = operation counts x a versioned price table; calibration by NNLS. Stdlib only.
    .target(name: "EnergyModel"),
    // Generic multi-objective search (RNG, dominance, NSGA-II, SA, hypervolume). Knows nothing of networks.
    .target(name: "MultiObjectiveSearch"),
    // The precision-search glue: per-layer precisions as a search problem, energy workloads of a network.
    .target(name: "PrecisionSearch", dependencies: ["NetworkEngine", "EnergyModel", "MultiObjectiveSearch"]),
    // Audio front-end for keyword spotting: resampling and MFCC features. Stdlib only.
    .target(name: "AudioFeatures"),
    // Run-time precision switching: operating points from one 16-bit master, the energy governor. Stdlib only.
    .target(name: "PrecisionRuntime", dependencies: ["NetworkEngine", "EnergyModel"]),
    // The only library module that touches Foundation: model files, data sets, JSON documents.
    .target(name: "PrecSearchIO", dependencies: ["NetworkEngine", "EnergyModel", "NetworkTraining", "PrecisionSearch", "AudioFeatures", "PrecisionRuntime"],
            // The shipped models (`--model fashion`) and Fashion-MNIST's validation and test splits (ModelCatalog).
            resources: [.copy("Resources/ShippedModels")]),
    // Command library, testable in-process.
    .target(name: "PrecSearchCLI", dependencies: ["PrecSearchIO", "NetworkEngine", "EnergyModel", "MultiObjectiveSearch", "PrecisionSearch", "NetworkTraining", "AudioFeatures", "PrecisionRuntime"]),
    .executableTarget(name: "precsearch", dependencies: ["PrecSearchCLI"]),
    .executableTarget(name: "precsearch-bench", dependencies: ["NetworkEngine", "PrecSearchIO", "PrecisionSearch", "PrecisionRuntime"]),

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
  ]
)
