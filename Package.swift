// swift-tools-version: 6.0
// precsearch: energy-scalable ConvNets on a bit-exact fixed-point multi-precision engine.
// No package dependencies: toolchain, Foundation and XCTest / Swift Testing only. No unsafe flags: CPU-specific
// kernels are chosen at run time (CKernels), so applications can depend on the library products.
// docs/architecture.md draws the module graph this file declares and says where new code goes.
import PackageDescription

let package = Package(
  name: "precsearch",
  products: [
    .executable(name: "precsearch", targets: ["precsearch"]),
    .executable(name: "precsearch-bench", targets: ["precsearch-bench"]),
    .library(name: "NetworkEngine", targets: ["NetworkEngine"]),
    // What an application links to switch precision at run time (docs/runtime.md), and the files it reads
    // (Experiments/embedding is such an application).
    .library(name: "PrecisionRuntime", targets: ["PrecisionRuntime"]),
    .library(name: "PrecSearchFormats", targets: ["PrecSearchFormats"]),
  ],
  targets: [
    // Foundation layer (stdlib only, or Dispatch).
    // Seeded generators (SplitMix64, xoshiro256**), seed derivation and fixed-algorithm draws: the one source of
    // randomness of search, training, benchmarks and tests.
    .target(name: "SeededRandom"),
    // What the stdlib lacks from the platform: the one libm shim (LibM) and the one parallel map (ParallelMap).
    .target(name: "PlatformSupport"),
    // The kernels' inner loops in C (blocked GEMM, depthwise lanes, requantization, the AVX-512 VNNI 8-bit GEMM,
    // training's GEMMs), each compiled for several instruction sets and chosen at run time by CPU feature.
    .target(name: "CKernels"),

    // Numerical core (pure: no I/O, no Foundation).
    // Rounding shifts, saturation, dynamic fixed-point formats.
    .target(name: "FixedPointArithmetic"),
    // ConvNet IR, shape inference, float reference and integer kernels, execution plans.
    .target(name: "NetworkEngine", dependencies: ["FixedPointArithmetic", "CKernels", "PlatformSupport"]),
    // Float training: backward passes, optimizers, schedules, augmentation, the training loop.
    .target(name: "NetworkTraining", dependencies: ["NetworkEngine", "CKernels", "PlatformSupport", "SeededRandom"]),
    // Energy = operation counts x a versioned price table; calibration by NNLS.
    .target(name: "EnergyModel"),
    // Generic multi-objective search (dominance, NSGA-II, SA, hypervolume). Knows nothing of networks.
    .target(name: "MultiObjectiveSearch", dependencies: ["SeededRandom", "PlatformSupport"]),
    // The precision-search glue: per-layer precisions as a search problem, energy workloads of a network.
    .target(name: "PrecisionSearch",
            dependencies: ["NetworkEngine", "EnergyModel", "MultiObjectiveSearch", "SeededRandom", "PlatformSupport"]),
    // Audio front-end for keyword spotting: resampling and MFCC features.
    .target(name: "AudioFeatures", dependencies: ["PlatformSupport"]),
    // Run-time precision switching: operating points from one 16-bit master, the energy governor.
    .target(name: "PrecisionRuntime", dependencies: ["NetworkEngine", "EnergyModel"]),

    // Model import: TFLite (FlatBuffers) and ONNX (protobuf) readers written from the published schemas, and the
    // mapping of their graphs onto the IR. Pure: takes bytes.
    .target(name: "ModelImport", dependencies: ["NetworkEngine"]),
    // C export: a network and its operating points in, the source of a bit-exact C99 library out (docs/export.md).
    // Pure: strings, no files.
    .target(name: "CodeGeneration", dependencies: ["NetworkEngine", "FixedPointArithmetic"]),

    // Edge: files and documents (Foundation). File formats: the model file, the Pareto document and operating
    // points, energy tables and measurements, checkpoints, JSON, SHA-256 and atomic writes. A library product.
    .target(name: "PrecSearchFormats",
            dependencies: ["NetworkEngine", "EnergyModel", "MultiObjectiveSearch", "PrecisionSearch", "PrecisionRuntime"]),
    // Reports, plots and front analysis of Pareto documents (report, plot, summarize).
    .target(name: "PrecSearchReports", dependencies: ["PrecSearchFormats"]),
    // Data sets, audio data, the shipped models.
    .target(name: "PrecSearchIO",
            dependencies: ["PrecSearchFormats", "NetworkEngine", "EnergyModel", "NetworkTraining", "PrecisionSearch",
                           "AudioFeatures", "PrecisionRuntime", "SeededRandom", "PlatformSupport"],
            // The shipped models (`--model fashion`) and Fashion-MNIST's validation and test splits (ModelCatalog).
            resources: [.copy("Resources/ShippedModels")]),
    // The steps of the commands as library calls (optimize's baselines, search loop, test pass and document; the
    // evaluation server behind serve).
    .target(name: "PrecSearchWorkflows",
            dependencies: ["EnergyModel", "MultiObjectiveSearch", "NetworkEngine", "NetworkTraining", "PrecSearchFormats",
                           "PrecisionSearch", "SeededRandom"]),
    // Generates BuildRevision (the commit the tool is built from) for the command library's provenance.
    .plugin(name: "SourceRevisionPlugin", capability: .buildTool(), path: "Sources/SourceRevisionPlugin"),
    // Command library, testable in-process.
    .target(name: "PrecSearchCLI",
            dependencies: ["PrecSearchFormats", "PrecSearchIO", "PrecSearchReports", "PrecSearchWorkflows", "NetworkEngine", "EnergyModel",
                           "MultiObjectiveSearch", "PrecisionSearch",
                           "NetworkTraining", "AudioFeatures", "PrecisionRuntime", "SeededRandom", "PlatformSupport",
                           "ModelImport", "CodeGeneration"],
            plugins: ["SourceRevisionPlugin"]),
    .executableTarget(name: "precsearch", dependencies: ["PrecSearchCLI"]),
    .executableTarget(name: "precsearch-bench",
                      dependencies: ["NetworkEngine", "PrecSearchFormats", "PrecSearchIO", "PrecisionSearch", "PrecisionRuntime",
                                     "SeededRandom"]),

    // Tests. PrecSearchTestSupport: the long-tests switch, the shared data folder, temporary directories.
    .target(name: "PrecSearchTestSupport", dependencies: ["SeededRandom"], path: "Tests/PrecSearchTestSupport"),
    .testTarget(name: "SeededRandomTests", dependencies: ["SeededRandom", "PrecSearchTestSupport"]),
    .testTarget(name: "PlatformSupportTests", dependencies: ["PlatformSupport"]),
    .testTarget(name: "FixedPointArithmeticTests", dependencies: ["FixedPointArithmetic", "SeededRandom", "PrecSearchTestSupport"]),
    .testTarget(name: "NetworkEngineTests", dependencies: ["NetworkEngine", "FixedPointArithmetic", "SeededRandom", "PrecSearchTestSupport"]),
    .testTarget(name: "NetworkTrainingTests", dependencies: ["NetworkTraining", "NetworkEngine", "SeededRandom", "PlatformSupport", "PrecSearchTestSupport"]),
    .testTarget(name: "EnergyModelTests", dependencies: ["EnergyModel", "SeededRandom", "PrecSearchTestSupport"]),
    .testTarget(name: "MultiObjectiveSearchTests", dependencies: ["MultiObjectiveSearch", "SeededRandom", "PrecSearchTestSupport"]),
    .testTarget(name: "PrecisionSearchTests",
                dependencies: ["PrecisionSearch", "NetworkEngine", "EnergyModel", "MultiObjectiveSearch", "SeededRandom",
                               "PrecSearchTestSupport"]),
    .testTarget(name: "AudioFeaturesTests", dependencies: ["AudioFeatures", "SeededRandom", "PlatformSupport", "PrecSearchTestSupport"],
                exclude: ["Fixtures"]),
    .testTarget(name: "PrecisionRuntimeTests",
                dependencies: ["PrecisionRuntime", "NetworkEngine", "EnergyModel", "SeededRandom", "PrecSearchTestSupport"]),
    .testTarget(name: "PrecSearchIOTests", dependencies: ["PrecSearchFormats", "PrecSearchIO", "NetworkEngine", "SeededRandom", "PrecSearchTestSupport"]),
    .testTarget(name: "PrecSearchReportsTests", dependencies: ["PrecSearchFormats", "PrecSearchReports"]),
    .testTarget(name: "PrecSearchWorkflowsTests",
                dependencies: ["PrecSearchWorkflows", "PrecSearchFormats", "NetworkEngine", "NetworkTraining", "SeededRandom",
                               "PrecSearchTestSupport"]),
    .testTarget(name: "PrecSearchCLITests",
                dependencies: ["PrecSearchCLI", "precsearch", "PrecSearchFormats", "PrecSearchIO", "NetworkEngine", "SeededRandom",
                               "PrecSearchTestSupport"],
                // Read through #filePath by GoldenTests (and rewritten by its record mode), not bundled.
                exclude: ["Goldens"]),
    .testTarget(name: "CodeGenerationTests",
                dependencies: ["CodeGeneration", "NetworkEngine", "ModelImport", "PrecSearchFormats", "PrecSearchIO", "SeededRandom",
                               "PrecSearchTestSupport"]),
    .testTarget(name: "ModelImportTests", dependencies: ["ModelImport", "NetworkEngine", "PrecSearchTestSupport"],
                resources: [.copy("Fixtures")]),
  ]
)
